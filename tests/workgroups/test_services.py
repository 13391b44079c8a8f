"""The working-group services: validated, recorded in the history, and keeping the members'
"follows" grants (accounts.access) in step with their assignments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts import access
from accounts.models import Grant, GrantRole
from tests.factories import UserFactory
from workgroups import services
from workgroups.models import Assignment, GroupStatus, GroupUnit, MemberRole, WorkingGroup

from .conftest import DECIDED, follows

pytestmark = pytest.mark.django_db


def test_an_assignment_gives_the_member_the_follows_grant_on_that_unit_only(assignment, member_user, tree):
    member_user.refresh_from_db()
    scope = access.scope_for(member_user)

    assert follows(member_user) == [tree.commune_a.pk]
    assert scope.can_read(tree.cell_a1) and scope.can_read(tree.commune_a)
    assert not scope.can_read(tree.commune_b) and not scope.can_read(tree.province)
    assert not scope.can_edit(tree.commune_a)
    assert scope.follows


def test_the_group_follows_the_units_its_members_are_assigned(assignment, group, tree):
    assert list(GroupUnit.objects.filter(group=group, ended_on=None).values_list("unit_id", flat=True)) == [
        tree.commune_a.pk]


def test_ending_the_assignment_takes_the_access_away(assignment, member_user, province_secretary, tree):
    services.assignment_end(assignment=assignment, user=province_secretary)

    member_user.refresh_from_db()
    assert follows(member_user) == []
    assert not access.scope_for(member_user).can_read(tree.commune_a)
    assert Assignment.objects.get(pk=assignment.pk).ended_on is not None


def test_the_grant_stays_while_another_assignment_follows_the_same_unit(
    assignment, member_user, province, term, province_secretary, tree,
):
    other = services.group_create(unit=province, term=term, number=2, name="Tổ công tác số 2",
                                  decision_number="1669-QĐ/TU", decision_date=DECIDED, user=province_secretary)
    again = services.member_add(group=other, person=member_user, user=province_secretary)
    services.assignment_add(member=again, unit=tree.commune_a, user=province_secretary)

    services.assignment_end(assignment=assignment, user=province_secretary)

    assert follows(member_user) == [tree.commune_a.pk]


def test_other_roles_of_the_member_are_never_touched(assignment, member_user, province_secretary, tree):
    from accounts.services import grant_add

    grant_add(user=member_user, role=GrantRole.VIEWER, unit=tree.commune_a)

    services.assignment_end(assignment=assignment, user=province_secretary)

    assert list(member_user.grants.values_list("role", "unit_id")) == [(GrantRole.VIEWER, tree.commune_a.pk)]


def test_moving_a_unit_moves_the_access(assignment, group, member_user, province_secretary, tree):
    second_user = UserFactory(username="second", role=None)
    second = services.member_add(group=group, person=second_user, user=province_secretary)

    moved = services.assignment_move(assignment=assignment, to_member=second, user=province_secretary)

    assert moved.member == second and moved.is_active
    assert follows(member_user) == [] and follows(second_user) == [tree.commune_a.pk]


def test_dissolving_the_group_ends_every_assignment_and_access(assignment, group, member_user, province_secretary):
    services.group_dissolve(group=group, decision_number="2001-QĐ/TU", dissolved_on=dt.date(2025, 9, 30),
                            user=province_secretary)

    group.refresh_from_db()
    assert group.status == GroupStatus.DISSOLVED and group.dissolved_on == dt.date(2025, 9, 30)
    assert not Assignment.objects.active().exists()
    assert follows(member_user) == []
    with pytest.raises(ValidationError):
        services.member_add(group=group, full_name="Muộn", user=province_secretary)


def test_a_member_who_is_not_a_portal_user_gets_no_access(group, province_secretary, tree):
    person = services.member_add(group=group, full_name="Lê Văn Nghĩa", position="Trưởng ban Nội chính",
                                 role=MemberRole.DEPUTY, user=province_secretary)

    services.assignment_add(member=person, unit=tree.commune_b, user=province_secretary)

    assert not Grant.objects.filter(role=GrantRole.FOLLOWS).exists()


def test_a_unit_outside_the_issuing_unit_is_refused(province, term, province_secretary, tree):
    commune_group = services.group_create(unit=tree.commune_a, term=term, number=1, name="Tổ xã",
                                          decision_number="01-QĐ/ĐU", decision_date=DECIDED, user=province_secretary)
    person = services.member_add(group=commune_group, full_name="Ai đó", user=province_secretary)

    with pytest.raises(ValidationError):
        services.assignment_add(member=person, unit=tree.commune_b, user=province_secretary)
    with pytest.raises(ValidationError):
        services.assignment_add(member=person, unit=tree.commune_a, user=province_secretary)


def test_the_same_unit_cannot_be_assigned_twice_to_a_member(assignment, member, province_secretary, tree):
    with pytest.raises(ValidationError):
        services.assignment_add(member=member, unit=tree.commune_a, user=province_secretary)


def test_the_history_names_who_made_each_change(assignment, group, province_secretary):
    assert group.history.first().history_user == province_secretary
    assert Assignment.objects.get(pk=assignment.pk).history.first().history_user == province_secretary


def test_the_group_number_is_unique_for_the_unit_and_term(group, province, term, province_secretary):
    with pytest.raises(ValidationError):
        services.group_create(unit=province, term=term, number=1, name="Trùng", decision_number="x",
                              decision_date=DECIDED, user=province_secretary)
    assert WorkingGroup.objects.count() == 1


def test_a_follow_up_needs_an_active_assignment(assignment, member, province_secretary, member_user, tree):
    entry = services.follow_up_add(member=member, unit=tree.commune_a, kind="visit", happened_on=DECIDED,
                                   text="Làm việc với Ban Thường vụ", user=member_user)
    assert entry.member == member
    with pytest.raises(ValidationError):
        services.follow_up_add(member=member, unit=tree.commune_b, kind="visit", happened_on=DECIDED,
                               text="x", user=member_user)
