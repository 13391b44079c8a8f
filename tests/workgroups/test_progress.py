"""The followed-unit roll-up (issue 11): units an active working group follows, and
those followed twice, per term and level below each unit, kept by the workgroups services
in their transaction; the dashboards' "135/135 followed" reads it."""

from __future__ import annotations

import pytest

from congresses.selectors import current_terms
from progress import rollups
from workgroups import selectors, services
from workgroups.models import FollowedCount

from .conftest import DECIDED

pytestmark = pytest.mark.django_db


def _row(province, term, level="upper"):
    row = FollowedCount.objects.filter(unit=province, term=term, level=level).first()
    return (row.followed, row.twice) if row else (0, 0)


def test_following_and_unfollowing_keep_the_roll_up(assignment, group, member, province_secretary, tree, term):
    assert _row(tree.province, term) == (1, 0)

    other = services.member_add(group=group, full_name="Đinh Văn Hai", user=province_secretary, on=DECIDED)
    second = services.assignment_add(member=other, unit=tree.commune_a, user=province_secretary, on=DECIDED)
    assert _row(tree.province, term) == (1, 1)  # two members follow commune A

    services.assignment_end(assignment=second, user=province_secretary, on=DECIDED)
    assert _row(tree.province, term) == (1, 0)
    services.group_unit_add(group=group, unit=tree.cell_a1, user=province_secretary, on=DECIDED)
    assert _row(tree.province, term, "grassroots") == (1, 0)
    assert _row(tree.commune_a, term, "grassroots") == (1, 0)
    assert rollups.differences() == []

    services.group_dissolve(group=group, decision_number="9-QĐ/TU", dissolved_on=DECIDED, user=province_secretary)
    assert _row(tree.province, term) == (0, 0)
    assert _row(tree.province, term, "grassroots") == (0, 0)
    assert rollups.differences() == []


def test_a_member_leaving_unfollows_their_units(assignment, member, province_secretary, tree, term):
    services.member_remove(member=member, user=province_secretary, on=DECIDED)
    # The group still follows commune A (its decision names it), nobody is assigned.
    assert _row(tree.province, term) == (1, 0)
    assert rollups.differences() == []


def test_coverage_counts_read_the_roll_up(assignment, tree, django_assert_num_queries):
    FollowedCount.objects.all().delete()  # a count read live would not notice
    terms = current_terms()
    with django_assert_num_queries(1):
        counts = selectors.coverage_counts(tree.province, terms)
    assert counts["upper"].followed == 0 and counts["upper"].total == 2
