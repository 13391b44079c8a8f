"""Impossible input is refused with a message on the field (issue 9, points 7 and 8): no
step done and no congress held or registered after today (Asia/Ho_Chi_Minh), dates inside
the term, registered before the congress date, results only for a held congress, sane
ordinals, seat counts, term years, level deadlines and plan steps — on every path: the
forms, the single services, the bulk services, the admin."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from zoneinfo import ZoneInfo

from committees.models import Level
from congresses import services
from congresses.forms import MilestoneForm
from congresses.models import (
    CongressStatus,
    DueRule,
    LevelDeadline,
    Milestone,
    MilestoneStatus,
    PlanStep,
    Term,
)
from tests.factories import AdminFactory, TermFactory

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = dt.date(2025, 7, 20)
TOMORROW = TODAY + dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _today():
    """20/07/2025, 00:30 in Hà Nội: still 19/07 in UTC, so "today" must be the local day."""
    with time_machine.travel(dt.datetime(2025, 7, 20, 0, 30, tzinfo=HCM), tick=False):
        yield


@pytest.fixture
def superuser(db):
    return AdminFactory(username="root", is_superuser=True)


def _milestone(congress, code):
    return Milestone.objects.select_related("step").get(congress=congress, step__code=code)


def _reload(obj):
    return type(obj).objects.get(pk=obj.pk)


def _form(**changes):
    data = {
        "ordinal": "", "planned_date": "15/07/2025", "registered_on": "", "status": CongressStatus.PREPARING,
        "held_on": "", "executive_seats_elected": "", "secretary_elected_directly": "unknown",
        "secretary_vote_share": "", "note": "",
    }
    data.update(changes)
    return data


# --- Point 7: nothing done or held after today -----------------------------------------------


def test_today_is_the_day_in_ho_chi_minh_city_not_in_utc(congress_a, secretary_a, english):
    """At 00:30 in Hà Nội it is still the 19th in UTC: the 20th is today, the 21st is not."""
    services.milestone_update(milestone=_milestone(congress_a, "plan"), user=secretary_a,
                              status=MilestoneStatus.DONE, done_on=TODAY)
    assert _milestone(congress_a, "plan").done_on == TODAY
    with pytest.raises(ValidationError):
        services.milestone_update(milestone=_milestone(congress_a, "drafts"), user=secretary_a,
                                  status=MilestoneStatus.DONE, done_on=TOMORROW)


def test_milestone_done_tomorrow_is_refused_on_the_date_field(congress_a, secretary_a, english):
    with pytest.raises(ValidationError) as exc:
        services.milestone_update(milestone=_milestone(congress_a, "plan"), user=secretary_a,
                                  status=MilestoneStatus.DONE, done_on=TOMORROW)
    assert "is after today (20/07/2025)" in exc.value.message_dict["done_on"][0]
    assert _milestone(congress_a, "plan").status == MilestoneStatus.NOT_STARTED


def test_ticking_the_hold_step_on_a_future_date_neither_holds_nor_counts(congress_a, secretary_a, province, english):
    from progress import rollups

    with pytest.raises(ValidationError):
        services.milestone_update(milestone=_milestone(congress_a, "hold"), user=secretary_a,
                                  status=MilestoneStatus.DONE, done_on=dt.date(2025, 12, 20))
    congress = _reload(congress_a)
    assert (congress.status, congress.held_on) == (CongressStatus.PREPARING, None)
    assert rollups.differences() == []


def test_congress_held_tomorrow_is_refused_by_the_service(congress_a, secretary_a, english):
    with pytest.raises(ValidationError) as exc:
        services.congress_update(congress=congress_a, user=secretary_a,
                                 data={"held_on": TOMORROW, "status": CongressStatus.HELD})
    assert "date held, 21/07/2025, is after today" in exc.value.message_dict["held_on"][0]
    assert _reload(congress_a).held_on is None


def test_congress_held_in_the_future_is_refused_by_the_bulk_service_naming_unit_and_field(congress_a, english):
    with pytest.raises(ValidationError) as exc:
        services.congresses_bulk_progress(congresses=[services.CongressProgress(
            congress_id=congress_a.pk, data={"held_on": TOMORROW, "status": CongressStatus.HELD})])
    assert ("A: date held: The date held, 21/07/2025, is after today (20/07/2025): enter it once it has happened."
            in exc.value.messages)
    assert _reload(congress_a).held_on is None


def test_milestone_done_in_the_future_is_refused_by_the_bulk_service(congress_a, english):
    milestone = _milestone(congress_a, "hold")
    with pytest.raises(ValidationError) as exc:
        services.congresses_bulk_progress(milestones=[services.MilestoneProgress(
            milestone_id=milestone.pk, status=MilestoneStatus.DONE, done_on=TOMORROW)])
    assert any("A / hold: date done: The date done, 21/07/2025, is after today" in m for m in exc.value.messages)
    assert _reload(congress_a).status == CongressStatus.PREPARING


def test_congress_form_refuses_a_future_date_held_on_the_field(client_for, secretary_a, congress_a, english):
    response = client_for(secretary_a).post(reverse("congresses:congress_edit", args=[congress_a.pk]),
                                            _form(held_on="20/12/2025"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "is after today" in errors["held_on"][0]
    assert _reload(congress_a).held_on is None


def test_milestone_form_refuses_a_future_date_done(client_for, secretary_a, congress_a, english):
    milestone = _milestone(congress_a, "plan")
    prefix = f"m{milestone.pk}"
    response = client_for(secretary_a).post(reverse("congresses:milestone_update", args=[milestone.pk]), {
        f"{prefix}-status": MilestoneStatus.DONE, f"{prefix}-done_on": "25/12/2025",
        f"{prefix}-evidence_number": "", f"{prefix}-note": ""})
    assert response.status_code == 400
    assert "The date done, 25/12/2025, is after today (20/07/2025)" in response.content.decode()
    assert _reload(milestone).status == MilestoneStatus.NOT_STARTED
    assert not MilestoneForm({"status": "done", "done_on": "21/07/2025"}).is_valid()


def test_admin_refuses_a_future_date_done_on_a_milestone(client_for, superuser, congress_a, english):
    milestone = _milestone(congress_a, "plan")
    url = reverse("admin:congresses_milestone_change", args=[milestone.pk])
    response = client_for(superuser).post(url, {
        "status": MilestoneStatus.DONE, "done_on": "2025-12-25", "evidence_number": "", "note": "", "_save": "Save"})
    assert response.status_code == 200
    assert "is after today" in str(response.context["adminform"].form.errors["done_on"])
    assert _reload(milestone).status == MilestoneStatus.NOT_STARTED


def test_admin_refuses_a_congress_held_in_the_future(client_for, superuser, congress_a, english):
    url = reverse("admin:congresses_congress_change", args=[congress_a.pk])
    data = {"unit": congress_a.unit_id, "term": congress_a.term_id, "planned_date": "2025-07-15",
            "held_on": "2025-12-20", "status": CongressStatus.HELD, "note": "", "secretary_elected_directly": "unknown",
            "milestones-TOTAL_FORMS": "0", "milestones-INITIAL_FORMS": "0", "_save": "Save"}
    response = client_for(superuser).post(url, data)
    assert response.status_code == 200
    assert "is after today" in str(response.context["adminform"].form.errors["held_on"])
    assert _reload(congress_a).held_on is None


def test_registered_in_the_future_is_refused(term, commune_a, english):
    with pytest.raises(ValidationError) as exc:
        services.congress_create(unit=commune_a, term=term, planned_date=dt.date(2025, 9, 1), registered_on=TOMORROW)
    assert "is after today" in exc.value.message_dict["registered_on"][0]


# --- Point 8: the same class of mistake, field by field --------------------------------------


def test_held_long_before_the_term_starts_is_refused(congress_a, secretary_a, english):
    # The 2025–2030 term accepts dates from 01/01/2024 (its congresses are held in 2025 or
    # just before); 2023 belongs to the previous term.
    with pytest.raises(ValidationError) as exc:
        services.congress_update(congress=congress_a, user=secretary_a,
                                 data={"held_on": dt.date(2023, 12, 31), "status": CongressStatus.HELD})
    assert "long before the term 2025–2030 starts: dates from 01/01/2024" in exc.value.message_dict["held_on"][0]
    services.congress_update(congress=congress_a, user=secretary_a,
                             data={"held_on": dt.date(2024, 1, 1), "status": CongressStatus.HELD})


def test_congress_date_outside_the_term_is_refused_in_the_form(client_for, secretary_a, congress_a, english):
    response = client_for(secretary_a).post(reverse("congresses:congress_edit", args=[congress_a.pk]),
                                            _form(planned_date="15/07/2020"))
    assert "long before the term 2025–2030 starts" in response.context["form"].errors["planned_date"][0]
    response = client_for(secretary_a).post(reverse("congresses:congress_edit", args=[congress_a.pk]),
                                            _form(planned_date="15/07/2031"))
    assert "after the term 2025–2030 ends (31/12/2030)" in response.context["form"].errors["planned_date"][0]
    assert _reload(congress_a).planned_date == dt.date(2025, 7, 15)


def test_step_done_long_before_the_term_is_refused(congress_a, secretary_a, english):
    with pytest.raises(ValidationError) as exc:
        services.milestone_update(milestone=_milestone(congress_a, "plan"), user=secretary_a,
                                  status=MilestoneStatus.DONE, done_on=dt.date(2019, 5, 1))
    assert "long before the term" in exc.value.message_dict["done_on"][0]


def test_registered_after_the_congress_date_is_refused(congress_a, secretary_a, english):
    with pytest.raises(ValidationError) as exc:
        services.congress_update(congress=congress_a, user=secretary_a, data={"registered_on": dt.date(2025, 7, 18)})
    assert exc.value.message_dict["registered_on"] == [
        "The date registered with the superior, 18/07/2025, is after the congress date, 15/07/2025."]


def test_ticking_register_after_the_congress_date_is_refused_on_the_date_done(congress_a, secretary_a, english):
    with pytest.raises(ValidationError) as exc:
        services.milestone_update(milestone=_milestone(congress_a, "register"), user=secretary_a,
                                  status=MilestoneStatus.DONE, done_on=dt.date(2025, 7, 18))
    assert "is after the congress date" in exc.value.message_dict["done_on"][0]
    assert _reload(congress_a).registered_on is None
    assert _milestone(congress_a, "register").status == MilestoneStatus.NOT_STARTED


def test_bulk_create_refuses_registered_after_the_congress_date(term, commune_a, english):
    with pytest.raises(ValidationError) as exc:
        services.congresses_bulk_create(term=term, specs=[services.CongressSpec(
            unit=commune_a, planned_date=dt.date(2025, 7, 1), registered_on=dt.date(2025, 7, 2))])
    assert exc.value.messages[0].startswith("A: date registered with the superior: ")


def test_vote_share_without_a_direct_election_is_refused_by_the_bulk_service_naming_the_field(congress_a, english):
    # The single service, the form and the admin already refused it on the field; a
    # loader's report now names the field too.
    data = {"held_on": dt.date(2025, 7, 16), "status": CongressStatus.HELD, "secretary_elected_directly": False,
            "secretary_vote_share": 98}
    with pytest.raises(ValidationError) as exc:
        services.congresses_bulk_progress(congresses=[services.CongressProgress(congress_id=congress_a.pk, data=data)])
    assert exc.value.messages == [
        "A: secretary's vote share (%): The vote share applies when the secretary is elected directly at the "
        "congress."]
    assert _reload(congress_a).held_on is None


@pytest.mark.parametrize("field, value, message", [
    ("ordinal", "0", "The ordinal starts at 1"),
    ("ordinal", "101", "The ordinal is at most 100."),
    ("executive_seats_elected", "0", "At least one member is elected"),
    ("executive_seats_elected", "900", "At most 200 members"),
])
def test_absurd_numbers_are_refused_in_the_form(field, value, message, client_for, secretary_a, congress_a, english):
    response = client_for(secretary_a).post(reverse("congresses:congress_edit", args=[congress_a.pk]),
                                            _form(held_on="16/07/2025", **{field: value}))
    assert message in response.context["form"].errors[field][0]
    assert _reload(congress_a).held_on is None


def test_ordinal_of_zero_is_refused_by_the_services(term, commune_a, english):
    with pytest.raises(ValidationError) as exc:
        services.congress_create(unit=commune_a, term=term, ordinal=0)
    assert "starts at 1" in exc.value.message_dict["ordinal"][0]
    with pytest.raises(ValidationError) as exc:
        services.congresses_bulk_create(term=term, specs=[services.CongressSpec(unit=commune_a, ordinal=0)])
    assert exc.value.messages[0].startswith("A: ordinal: The ordinal starts at 1")


def test_results_of_a_congress_not_held_are_refused(congress_a, secretary_a, english):
    with pytest.raises(ValidationError) as exc:
        services.congress_update(congress=congress_a, user=secretary_a, data={"executive_seats_elected": 9})
    assert exc.value.message_dict["executive_seats_elected"] == [
        "The executive committee members elected is recorded once the congress has been held."]


# --- Terms, level deadlines, plan steps --------------------------------------------------------


@pytest.mark.parametrize("start, end, field, message", [
    (2025, 2020, "end_year", "The last year comes before the first year."),
    (2025, 2125, "end_year", "Ensure this value is less than or equal to 2100."),
    (2025, 2045, "end_year", "A term lasts at most 10 years"),
    (205, 2030, "start_year", "Ensure this value is greater than or equal to 1930."),
])
def test_absurd_term_years_are_refused(start, end, field, message, db, english):
    term = Term(name="x", start_year=start, end_year=end)
    with pytest.raises(ValidationError) as exc:
        term.full_clean()
    assert message in exc.value.message_dict[field][0]


def test_level_deadline_outside_the_term_or_its_levels_is_refused(db, english):
    term = TermFactory(start_year=2025, levels=[Level.UPPER, Level.GRASSROOTS], deadlines={}, plan=False)
    with pytest.raises(ValidationError) as exc:
        LevelDeadline(term=term, level=Level.UPPER, deadline=dt.date(2015, 8, 15)).full_clean()
    assert "long before the term" in exc.value.message_dict["deadline"][0]
    with pytest.raises(ValidationError) as exc:
        LevelDeadline(term=term, level=Level.SUB, deadline=dt.date(2025, 8, 15)).full_clean()
    assert "does not cover the level" in exc.value.message_dict["level"][0]
    LevelDeadline(term=term, level=Level.UPPER, deadline=dt.date(2025, 8, 15)).full_clean()


def test_plan_step_dates_and_offsets_are_checked(db, english):
    term = TermFactory(start_year=2025, deadlines={}, plan=False)

    def step(**fields):
        return PlanStep(term=term, code="s", title="S", levels=[Level.UPPER], **fields)

    with pytest.raises(ValidationError) as exc:
        step(due_rule=DueRule.FIXED, due_date=dt.date(2035, 1, 1)).full_clean()
    assert "after the term 2025–2030 ends" in exc.value.message_dict["due_date"][0]
    with pytest.raises(ValidationError) as exc:
        step(due_rule=DueRule.BEFORE, offset_days=30, due_date=dt.date(2025, 5, 1)).full_clean()
    assert "has no fixed due date" in exc.value.message_dict["due_date"][0]
    with pytest.raises(ValidationError) as exc:
        step(due_rule=DueRule.BEFORE, offset_days=9000).full_clean()
    assert "less than or equal to 730" in exc.value.message_dict["offset_days"][0]
    step(due_rule=DueRule.FIXED, due_date=dt.date(2025, 5, 1)).full_clean()


def test_admin_term_form_refuses_a_level_deadline_outside_the_term(client_for, superuser, english):
    # "Add term" leads to the start form (a term starts with a plan): the deadlines are
    # edited on the term's own page.
    term = Term.objects.create(name="2025–2030", start_year=2025, end_year=2030, levels=["upper"])
    data = {
        "name": "2025–2030", "start_year": "2025", "end_year": "2030", "levels": ["upper"],
        "level_deadlines-TOTAL_FORMS": "1", "level_deadlines-INITIAL_FORMS": "0",
        "level_deadlines-0-level": "upper", "level_deadlines-0-deadline": "2015-08-15",
        "steps-TOTAL_FORMS": "0", "steps-INITIAL_FORMS": "0", "_save": "Save",
    }
    response = client_for(superuser).post(reverse("admin:congresses_term_change", args=[term.pk]), data)
    assert response.status_code == 200
    assert "long before the term 2025–2030 starts" in response.content.decode()
    assert not term.level_deadlines.exists()
