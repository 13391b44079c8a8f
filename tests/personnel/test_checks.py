"""Each automatic check of a personnel plan, with its figures, on a plan built here."""

import datetime as dt

import pytest
import time_machine

from personnel import checks
from personnel.models import CompositionTarget
from personnel.services import nominee_update, plan_update
from tests.factories import NomineeFactory
from tests.personnel.conftest import fifteen

pytestmark = pytest.mark.usefixtures("english")


def _by_code(plan):
    plan.refresh_from_db()
    return {c.code: c for c in checks.run(plan)}


def test_composition_checks_show_their_figures(plan_a):
    fifteen(plan_a)
    found = _by_code(plan_a)
    assert found["women"].text == "Women 3/15 = 20% ≥ 15% ✓"
    assert found["young"].text == "Under 40 2/15 = 13.3% ≥ 10% ✓"
    assert found["minority"].text == "Ethnic minorities 1/15 = 6.7% ≥ 0% ✓"
    assert found["new"].text == "New members 5/15 = 33.3% ≥ 30% ✓"
    plan_a.refresh_from_db()
    assert plan_a.composition_met


def test_a_target_an_admin_raises_makes_the_check_fail(plan_a):
    fifteen(plan_a)
    CompositionTarget.objects.filter(level="upper", term__isnull=True).update(women_min_pct=25)
    assert _by_code(plan_a)["women"].text == "Women 3/15 = 20% ≥ 25% ✗"
    # a target of the term wins over the level's default
    CompositionTarget.objects.create(term=plan_a.congress.term, level="upper", women_min_pct=20)
    assert _by_code(plan_a)["women"].ok


def test_nominees_per_body_must_stay_within_the_surplus(plan_a):
    fifteen(plan_a)
    assert _by_code(plan_a)["surplus_executive"].text == "Executive committee: 15 nominees for 15 seats (15–19) ✓"
    plan_update(plan=plan_a, user=None, data={"executive_seats": 10})
    found = _by_code(plan_a)
    assert found["surplus_executive"].text == "Executive committee: 15 nominees for 10 seats (10–13) ✗"
    plan_update(plan=plan_a, user=None, data={"executive_seats": 16})
    assert not _by_code(plan_a)["surplus_executive"].ok  # fewer nominees than seats


def test_ages_are_counted_at_the_congress_date_not_today(plan_a):
    # The congress is on 15/07/2025. Born 16/07/1969: 55 the day before the congress's
    # birthday, so within the first-nomination limit (55) at the congress date, although
    # 57 "today" under the frozen clock.
    nominee = NomineeFactory(plan=plan_a, date_of_birth=dt.date(1969, 7, 16), renominated=False)
    with time_machine.travel(dt.datetime(2027, 1, 1, 9, 0), tick=False):
        found = _by_code(plan_a)
        assert found["ages"].ok
        assert found["ages"].text.startswith("Ages within the limits at 15/07/2025")
        assert found["ages"].text.endswith("1/1 ✓")
        nominee_update(nominee=nominee, user=None, data={"date_of_birth": dt.date(1969, 7, 15)})
        found = _by_code(plan_a)
        assert not found["ages"].ok
        assert found["ages"].details == ["Nguyễn Văn Đề Cử 0: 56 at 15/07/2025, limit 55".replace(
            "Nguyễn Văn Đề Cử 0", nominee.full_name)]
        # re-nominated, the limit is 60
        nominee_update(nominee=nominee, user=None, data={"renominated": True})
        assert _by_code(plan_a)["ages"].ok


def test_one_person_is_not_proposed_twice_for_exclusive_posts(plan_a):
    NomineeFactory(plan=plan_a, full_name="Trùng Tên", bodies=["executive", "secretary", "inspection_chair"])
    found = _by_code(plan_a)["exclusive"]
    assert not found.ok and found.text == "Exclusive posts: 1 person(s) proposed twice ✗"
    plan_b = plan_a
    other = NomineeFactory(plan=plan_b, full_name="Người Khác", bodies=["executive", "deputy"])
    NomineeFactory(plan=plan_b, full_name="người khác", date_of_birth=other.date_of_birth, bodies=["deputy"])
    assert len(_by_code(plan_a)["exclusive"].details) == 2
