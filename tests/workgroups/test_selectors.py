"""Reads of working groups: the coverage count the dashboards will show, the picker's
matching, and the member's "my units", each at a fixed number of queries."""

from __future__ import annotations

import pytest

from congresses.selectors import current_terms
from tests.factories import UnitFactory
from workgroups import selectors, services
from workgroups.querysets import followed_by_q, in_group_q

from .conftest import DECIDED

pytestmark = pytest.mark.django_db


def test_coverage_counts_the_followed_units_of_each_level_in_one_query(
    assignment, group, province_secretary, tree, django_assert_num_queries,
):
    other = services.group_create(unit=tree.province, term=group.term, number=2, name="Tổ 2",
                                  decision_number="2-QĐ/TU", decision_date=DECIDED, user=province_secretary)
    services.group_unit_add(group=other, unit=tree.commune_a, user=province_secretary)  # A followed twice
    services.group_unit_add(group=other, unit=tree.cell_a1, user=province_secretary)
    terms = current_terms()

    with django_assert_num_queries(1):
        counts = selectors.coverage_counts(tree.province, terms)

    assert counts["upper"] == selectors.CoverageCount("upper", followed=1, total=2, twice=1)
    assert counts["grassroots"] == selectors.CoverageCount("grassroots", followed=1, total=2, twice=0)


def test_a_dissolved_group_no_longer_covers(assignment, group, province_secretary, tree):
    services.group_dissolve(group=group, decision_number="9-QĐ/TU", dissolved_on=DECIDED, user=province_secretary)
    assert selectors.coverage_counts(tree.province, current_terms())["upper"].followed == 0


def test_the_unit_side_filters(assignment, member, group, tree):
    from committees.models import Unit

    assert list(Unit.objects.filter(followed_by_q(member))) == [tree.commune_a]
    assert list(Unit.objects.filter(in_group_q(group))) == [tree.commune_a]


def test_the_picker_ignores_accents_and_case(db):
    UnitFactory(code="KA", name="Đảng bộ huyện Krông Ana")
    UnitFactory(code="BD", name="Đảng bộ huyện Buôn Đôn")
    from committees.models import Unit

    assert [u.code for u in selectors.search_units(Unit.objects.all(), "BUON don")] == ["BD"]
    assert [u.code for u in selectors.search_units(Unit.objects.all(), "đảng krông")] == ["KA"]
    assert [u.code for u in selectors.search_units(Unit.objects.all(), "ka")] == ["KA"]


def test_my_units_costs_four_queries_whatever_the_number_of_units(
    assignment, member, member_user, province_secretary, tree, congress_a, django_assert_num_queries,
):
    services.assignment_add(member=member, unit=tree.cell_a1, user=province_secretary)
    services.assignment_add(member=member, unit=tree.commune_b, user=province_secretary)
    services.follow_up_add(member=member, unit=tree.commune_a, kind="meeting", happened_on=DECIDED, text="Họp",
                           user=member_user)
    terms = current_terms()

    with django_assert_num_queries(4):
        rows = selectors.my_units(user=member_user, terms=terms, today=DECIDED)

    assert [r.unit.code for r in rows] == ["A", "A1", "B"]
    assert rows[0].latest.text == "Họp" and rows[1].latest is None
