"""Scope in querysets: what each role reads (`visible_to`) and changes (`editable_by`).
Every view builds on these, so an object out of scope is a 404 everywhere."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from congresses.models import Congress, Milestone, MilestoneStatus
from congresses.services import milestone_complete
from tests.factories import SecretaryFactory, ViewerFactory

ALL = {"A", "B", "A1"}


@pytest.fixture
def congresses(congress_a, congress_b, congress_cell):
    return {"A": congress_a, "B": congress_b, "A1": congress_cell}


def _codes(qs):
    return set(qs.values_list("unit__code", flat=True))


def _milestone_codes(qs):
    return set(qs.values_list("congress__unit__code", flat=True))


@pytest.mark.parametrize(
    ("user_fixture", "visible", "editable"),
    [
        ("viewer", ALL, set()),
        ("secretary_a", {"A", "A1"}, {"A"}),
        ("secretary_b", {"B"}, {"B"}),
        ("secretary_cell", {"A1"}, {"A1"}),
        ("admin_user", ALL, ALL),
    ],
)
def test_congress_scope_of_each_role(request, congresses, user_fixture, visible, editable):
    user = request.getfixturevalue(user_fixture)
    assert _codes(Congress.objects.visible_to(user)) == visible
    assert _codes(Congress.objects.editable_by(user)) == editable


@pytest.mark.parametrize(
    ("user_fixture", "visible", "editable"),
    [
        ("viewer", ALL, set()),
        ("secretary_a", {"A", "A1"}, {"A"}),
        ("secretary_b", {"B"}, {"B"}),
        ("secretary_cell", {"A1"}, {"A1"}),
        ("admin_user", ALL, ALL),
    ],
)
def test_milestone_scope_follows_its_congress(request, congresses, user_fixture, visible, editable):
    user = request.getfixturevalue(user_fixture)
    assert _milestone_codes(Milestone.objects.visible_to(user)) == visible
    assert _milestone_codes(Milestone.objects.editable_by(user)) == editable


def test_anonymous_reads_and_changes_nothing(congresses):
    anonymous = AnonymousUser()
    assert not Congress.objects.visible_to(anonymous).exists()
    assert not Congress.objects.editable_by(anonymous).exists()
    assert not Milestone.objects.visible_to(anonymous).exists()


def test_deactivated_secretary_reads_and_changes_nothing(congresses, commune_a):
    gone = SecretaryFactory(unit=commune_a, is_active=False)
    assert not Congress.objects.visible_to(gone).exists()
    assert not Congress.objects.editable_by(gone).exists()


def test_viewer_without_unit_reads_nothing(congresses):
    assert not Congress.objects.visible_to(ViewerFactory(unit=None)).exists()


def test_under_is_the_subtree(congresses, commune_a):
    assert _codes(Congress.objects.under(commune_a)) == {"A", "A1"}


def test_open_done_and_overdue(congress_a, secretary_a):
    plan = congress_a.milestones.get(step__code="plan")  # due 16/04/2025
    milestones = Milestone.objects.filter(congress=congress_a)
    assert milestones.overdue(dt.date(2025, 4, 17)).filter(pk=plan.pk).exists()

    milestone_complete(milestone=plan, user=secretary_a, done_on=dt.date(2025, 4, 20))

    assert list(milestones.done()) == [plan]
    assert plan not in milestones.open()
    assert not milestones.overdue(dt.date(2025, 4, 17)).filter(pk=plan.pk).exists()
    assert milestones.filter(status=MilestoneStatus.NOT_STARTED).count() == 10
