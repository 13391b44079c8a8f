"""The Term admin (issue 9, points 9 and 10): an admin starts a term with a plan in the
portal, makes a term current, and edits a plan whose changes reach the congresses already
opened, through the services, with a message saying how many changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from committees.models import Level
from congresses.models import Milestone, PlanSource, PlanStep, Term
from progress import rollups
from progress.models import StepCount
from tests.factories import AdminFactory, TermFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client_for):
    return client_for(AdminFactory(is_superuser=True))


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _change_data(term: Term, steps: list[dict] | None = None, extra: list[dict] | None = None) -> dict:
    """The Term change form as the browser posts it: the term, its deadlines and its steps
    (as they are, or `steps` in their place), plus new steps `extra`."""
    data = {"name": term.name, "start_year": term.start_year, "end_year": term.end_year, "levels": term.levels}
    if term.is_current:
        data["is_current"] = "on"
    deadlines = list(term.level_deadlines.all())
    data.update({"level_deadlines-TOTAL_FORMS": len(deadlines), "level_deadlines-INITIAL_FORMS": len(deadlines),
                 "level_deadlines-MIN_NUM_FORMS": 0, "level_deadlines-MAX_NUM_FORMS": 1000})
    for i, d in enumerate(deadlines):
        data.update({f"level_deadlines-{i}-id": d.pk, f"level_deadlines-{i}-term": term.pk,
                     f"level_deadlines-{i}-level": d.level, f"level_deadlines-{i}-deadline": d.deadline.isoformat()})
    rows = (steps if steps is not None else _rows(term)) + (extra or [])
    initial = sum(1 for r in rows if r.get("id"))
    data.update({"steps-TOTAL_FORMS": len(rows), "steps-INITIAL_FORMS": initial,
                 "steps-MIN_NUM_FORMS": 0, "steps-MAX_NUM_FORMS": 1000})
    for i, row in enumerate(rows):
        for key, value in row.items():
            if value is True:
                value = "on"
            elif value is False:
                continue
            data[f"steps-{i}-{key}"] = value
        data[f"steps-{i}-term"] = term.pk
    return data


def _rows(term: Term) -> list[dict]:
    """The term's steps as rows of the inline, to change before posting."""
    return [
        {"id": s.pk, "order": s.order, "code": s.code, "title": s.title, "levels": s.levels,
         "due_rule": s.due_rule, "offset_days": s.offset_days, "due_date": s.due_date or "", "effect": s.effect}
        for s in term.steps.all()
    ]


# --- Point 9: a term starts with a plan -------------------------------------------------------


def test_admin_starts_a_term_from_the_previous_terms_plan_and_deadlines(superuser_client):
    previous = TermFactory(name="2020–2025", start_year=2020, end_year=2025,
                           deadlines={Level.UPPER: dt.date(2020, 8, 15)})

    response = superuser_client.post(reverse("admin:congresses_term_start"), {
        "name": "2025–2030", "start_year": 2025, "end_year": 2030, "plan": PlanSource.COPY,
        "copy_from": previous.pk, "make_current": "on",
    })

    term = Term.objects.get(name="2025–2030")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:congresses_term_change", args=[term.pk])
    assert term.is_current and term.steps.count() == 11
    assert term.deadline_for(Level.UPPER) == dt.date(2025, 8, 15)
    previous.refresh_from_db()
    assert not previous.is_current
    messages = _messages(response)
    assert any("11 plan steps, 1 level deadlines" in m for m in messages)
    assert any("2020–2025 is no longer a current term" in m for m in messages)


def test_admin_starts_a_term_for_cells_with_the_default_plan(superuser_client):
    main = TermFactory(name="2020–2025", start_year=2020, end_year=2025)

    response = superuser_client.post(reverse("admin:congresses_term_start"), {
        "name": "2020–2022", "start_year": 2020, "end_year": 2022, "levels": [Level.SUB],
        "plan": PlanSource.DEFAULT, "copy_from": main.pk, "make_current": "on",
    })

    assert response.status_code == 302
    cells = Term.objects.get(name="2020–2022")
    assert cells.levels == [Level.SUB] and cells.is_current and cells.steps.count() == 11
    main.refresh_from_db()
    assert main.is_current and Level.SUB not in main.levels
    assert any("2020–2025 stays current for" in m for m in _messages(response))


def test_the_start_form_shows_the_services_refusal_on_the_field(superuser_client):
    TermFactory(name="2020–2025", start_year=2020, end_year=2025)
    response = superuser_client.post(reverse("admin:congresses_term_start"), {
        "name": "2020–2025", "start_year": 2025, "end_year": 2030, "plan": PlanSource.EMPTY,
    })
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert Term.objects.count() == 1


def test_the_add_button_leads_to_the_start_form(superuser_client):
    response = superuser_client.get(reverse("admin:congresses_term_add"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:congresses_term_start")
    page = superuser_client.get(reverse("admin:congresses_term_start"))
    assert page.status_code == 200
    assert "copy_from" in page.context["form"].fields


def test_the_start_form_is_for_those_who_may_add_terms(client_for, province):
    from tests.factories import SecretaryFactory

    staff = SecretaryFactory(unit=province, is_staff=True)
    response = client_for(staff).get(reverse("admin:congresses_term_start"))
    assert response.status_code == 403


def test_the_make_current_action_takes_over_the_levels(superuser_client):
    old = TermFactory(name="2020–2025", start_year=2020, end_year=2025)
    new = TermFactory(name="2025–2030", start_year=2025, end_year=2030, is_current=False)

    response = superuser_client.post(reverse("admin:congresses_term_changelist"), {
        "action": "make_current", "_selected_action": [new.pk]})

    assert response.status_code == 302
    old.refresh_from_db()
    new.refresh_from_db()
    assert new.is_current and not old.is_current


# --- Point 10: plan changes reach the congresses ------------------------------------------------


def test_a_step_added_in_the_admin_reaches_the_opened_congresses(
    superuser_client, term, congress_a, congress_b, congress_cell, province
):
    new_step = {"order": 55, "code": "audit", "title": "Audit the finances", "levels": [Level.UPPER],
                "due_rule": "before", "offset_days": 30, "due_date": "", "effect": ""}

    response = superuser_client.post(reverse("admin:congresses_term_change", args=[term.pk]),
                                     _change_data(term, extra=[new_step]))

    assert response.status_code == 302, response.context and response.context["errors"]
    step = PlanStep.objects.get(term=term, code="audit")
    assert set(Milestone.objects.filter(step=step).values_list("congress_id", flat=True)) == {
        congress_a.pk, congress_b.pk}
    assert StepCount.objects.get(unit=province, step=step).total == 2
    assert rollups.differences() == []
    assert any("reached 2 congresses: 2 milestones added, 0 rescheduled, 0 removed" in m
               for m in _messages(response))


def test_a_step_changed_in_the_admin_reschedules_the_milestones(superuser_client, term, congress_a, congress_cell):
    rows = _rows(term)
    plan = next(r for r in rows if r["code"] == "plan")
    plan["offset_days"] = 100

    response = superuser_client.post(reverse("admin:congresses_term_change", args=[term.pk]), _change_data(term, rows))

    assert response.status_code == 302
    milestone = Milestone.objects.get(step_id=plan["id"], congress=congress_a)
    assert milestone.due_date == congress_a.planned_date - dt.timedelta(days=100)
    assert any("2 rescheduled" in m for m in _messages(response))
    assert rollups.differences() == []


def test_deleting_a_step_with_done_milestones_in_the_admin_needs_the_confirmation(
    superuser_client, term, congress_cell, admin_user
):
    from congresses import services

    step = term.steps.get(code="drafts")
    services.milestone_complete(milestone=Milestone.objects.get(step=step, congress=congress_cell),
                                user=admin_user, done_on=dt.date(2025, 4, 1))
    rows = _rows(term)
    row = next(r for r in rows if r["code"] == "drafts")
    row["DELETE"] = True
    url = reverse("admin:congresses_term_change", args=[term.pk])

    refused = superuser_client.post(url, _change_data(term, rows))
    assert refused.status_code == 200
    assert "already done" in str(refused.context["inline_admin_formsets"][1].formset.non_form_errors())
    assert PlanStep.objects.filter(pk=step.pk).exists()

    row["remove_done"] = True
    confirmed = superuser_client.post(url, _change_data(term, rows))

    assert confirmed.status_code == 302
    assert not PlanStep.objects.filter(pk=step.pk).exists()
    assert not Milestone.objects.filter(step_id=step.pk).exists()
    assert rollups.differences() == []
    assert any("1 removed" in m for m in _messages(confirmed))


def test_the_effect_of_a_used_step_cannot_change_in_the_admin(superuser_client, term, congress_cell):
    rows = _rows(term)
    row = next(r for r in rows if r["code"] == "drafts")
    row["effect"] = "register"
    response = superuser_client.post(reverse("admin:congresses_term_change", args=[term.pk]),
                                     _change_data(term, rows))
    assert response.status_code == 200
    assert PlanStep.objects.get(pk=row["id"]).effect == ""
