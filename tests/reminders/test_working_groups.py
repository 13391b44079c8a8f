"""Reminders follow working-group assignments (issue 11, point 6): an escalation goes to
the member following the unit (and, as before, to the superior unit's secretaries); the
weekly digest lists a member's followed units only; ending an assignment ends both."""

from __future__ import annotations

import pytest

from reminders.models import Channel, Kind, Reason
from tests.factories import CongressFactory, UserFactory
from workgroups import services

from .conftest import TODAY, days, items_for, milestones_of, set_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def follower(setup, tree, term, secretary_a):
    """A member of the province's group following commune B, with no grant of their own."""
    from tests.factories import SecretaryFactory

    staff = SecretaryFactory(username="province_staff", unit=tree.province)
    group = services.group_create(unit=tree.province, term=term, number=1, name="Tổ công tác số 1",
                                  decision_number="1668-QĐ/TU", decision_date=days(-100), user=staff)
    user = UserFactory(username="follower", email="follower@example.vn", role=None)
    member = services.member_add(group=group, person=user, user=staff)
    user.assignment = services.assignment_add(member=member, unit=tree.commune_b, user=staff, on=days(-100))
    user.staff = staff
    return user


@pytest.fixture
def congress_b(setup, tree, term):
    congress = CongressFactory(unit=tree.commune_b, term=term)
    congress.milestones.update(due_date=None)
    return congress


def test_an_escalation_goes_to_the_member_following_the_unit(follower, congress_b, congress_a, run_scan):
    late = set_due(milestones_of(congress_b)[0], days(-3))
    set_due(milestones_of(congress_a)[0], days(-3))  # commune A's: not followed by this member

    run_scan()

    assert items_for(follower, Channel.INAPP) == [(Reason.ESCALATION, late.pk, congress_b.unit_id)]
    assert items_for(follower, Channel.EMAIL) == [(Reason.ESCALATION, late.pk, congress_b.unit_id)]


def test_the_superior_units_secretaries_still_get_the_escalation(follower, congress_b, run_scan):
    late = set_due(milestones_of(congress_b)[0], days(-3))

    run_scan()

    assert items_for(follower.staff, Channel.INAPP) == [(Reason.ESCALATION, late.pk, congress_b.unit_id)]


def test_the_digest_lists_only_the_members_units(follower, congress_a, congress_b, congress_cell, run_scan):
    set_due(milestones_of(congress_a)[0], days(-5))
    set_due(milestones_of(congress_cell)[0], days(-5))
    set_due(milestones_of(congress_b)[0], days(-5))

    run_scan(Kind.WEEKLY)

    assert items_for(follower, Channel.INAPP) == [(Reason.WEEKLY_DIGEST, None, congress_b.unit_id)]


def test_ending_the_assignment_ends_access_and_reminders(follower, congress_b, run_scan, client_for, tree):
    from django.urls import reverse

    set_due(milestones_of(congress_b)[0], days(-3))
    services.assignment_end(assignment=follower.assignment, user=follower.staff, on=TODAY)

    run_scan()
    run_scan(Kind.WEEKLY)

    assert items_for(follower) == []
    assert client_for(follower).get(reverse("dashboards:unit_dashboard", args=[tree.commune_b.pk])).status_code == 404
