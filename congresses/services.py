"""Writes to congresses and milestones. Views, admin actions, commands and the demo loader
call these; they never save these models themselves, so the audit history, the due dates
and the link between a congress and its milestones stay right."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from committees.models import Unit
from dashboards import rollups

from .models import (
    Congress,
    CongressStatus,
    Milestone,
    MilestoneStatus,
    PlanStep,
    StepEffect,
    Term,
)
from .selectors import congress_warnings

CONGRESS_FIELDS = (
    "ordinal", "planned_date", "registered_on", "held_on", "is_pilot", "status",
    "executive_seats_elected", "secretary_elected_directly", "secretary_vote_share", "note",
)


@dataclass
class CongressChange:
    congress: Congress
    warnings: list[str] = field(default_factory=list)
    rescheduled: int = 0


def _steps_for(term: Term, level: str) -> list[PlanStep]:
    return [s for s in term.steps.all() if s.applies_to(level)]


def _save_with_history(obj, user, update_fields=None) -> None:
    # simple_history takes the user from the request in views; commands and tasks have
    # none, so the service names it explicitly.
    obj._history_user = user
    obj.updated_by = user
    obj.save() if update_fields is None else obj.save(update_fields=[*update_fields, "updated_by", "updated_at"])


@transaction.atomic
def congress_create(
    *, unit: Unit, term: Term, user=None, planned_date: dt.date | None = None,
    is_pilot: bool = False, ordinal: int | None = None, registered_on: dt.date | None = None,
) -> CongressChange:
    """Create a unit's congress for a term and one milestone per plan step of its level.

    Steps: validate the congress (one per unit per term); save it; create its milestones
    with due dates computed from each step's rule and the congress date.
    """
    congress = Congress(
        unit=unit, term=term, planned_date=planned_date, is_pilot=is_pilot, ordinal=ordinal,
        registered_on=registered_on, updated_by=user,
    )
    congress.full_clean()
    with rollups.track_congress(None) as tracker:
        _save_with_history(congress, user)
        tracker.track(congress.pk)
        _create_milestones(congress, user, registered_on)
    return CongressChange(congress=congress, warnings=congress_warnings(congress))


def _create_milestones(congress: Congress, user, registered_on: dt.date | None) -> None:
    unit, term, planned_date = congress.unit, congress.term, congress.planned_date
    milestones = [
        Milestone(
            congress=congress, step=step, due_date=step.compute_due(planned_date), updated_by=user,
            status=MilestoneStatus.DONE if step.effect == StepEffect.REGISTER and registered_on else MilestoneStatus.NOT_STARTED,
            done_on=registered_on if step.effect == StepEffect.REGISTER else None,
        )
        for step in _steps_for(term, unit.level)
    ]
    bulk_create_with_history(milestones, Milestone, default_user=user)


@transaction.atomic
def congress_update(*, congress: Congress, user, data: dict) -> CongressChange:
    """Change a congress's dates, status or results.

    Steps: lock the row; apply and validate the fields; if the congress date moved,
    recompute the due dates of the unfinished milestones whose rule is relative to it;
    keep the "register" and "hold" milestones in step with the dates; return the
    warnings (bottom-up order, level deadline), which inform but never block.
    """
    congress = Congress.objects.select_for_update().select_related("unit", "term").get(pk=congress.pk)
    unknown = set(data) - set(CONGRESS_FIELDS)
    if unknown:
        raise ValueError(f"Unknown congress fields: {sorted(unknown)}")
    old_date = congress.planned_date
    for name, value in data.items():
        setattr(congress, name, value)
    if congress.held_on and congress.status == CongressStatus.PREPARING:
        congress.status = CongressStatus.HELD
    if not congress.held_on and congress.status == CongressStatus.HELD:
        raise ValidationError({"held_on": _("A congress that has been held needs the date it was held.")})
    congress.full_clean()
    change = CongressChange(congress=congress)
    with rollups.track_congress(congress.pk):
        _save_with_history(congress, user)
        if congress.planned_date != old_date:
            change.rescheduled = _reschedule(congress, user)
        _sync_milestones_from_congress(congress, user)
    change.warnings = congress_warnings(congress)
    return change


def _reschedule(congress: Congress, user) -> int:
    """Recompute the due dates of unfinished milestones relative to the congress date."""
    changed = []
    for milestone in congress.milestones.select_related("step").exclude(status=MilestoneStatus.DONE):
        if not milestone.step.is_relative:
            continue
        due = milestone.step.compute_due(congress.planned_date)
        if due != milestone.due_date:
            milestone.due_date = due
            _save_with_history(milestone, user, update_fields=["due_date"])
            changed.append(milestone)
    return len(changed)


def _sync_milestones_from_congress(congress: Congress, user) -> None:
    wanted = {StepEffect.REGISTER: congress.registered_on, StepEffect.HOLD: congress.held_on}
    for milestone in congress.milestones.select_related("step").filter(
        step__effect__in=[StepEffect.REGISTER, StepEffect.HOLD]
    ):
        on = wanted[milestone.step.effect]
        if on and (milestone.status != MilestoneStatus.DONE or milestone.done_on != on):
            milestone.status, milestone.done_on = MilestoneStatus.DONE, on
        elif not on and milestone.status == MilestoneStatus.DONE:
            milestone.status, milestone.done_on = MilestoneStatus.IN_PROGRESS, None
        else:
            continue
        _save_with_history(milestone, user, update_fields=["status", "done_on"])


def _sync_congress_from_milestone(milestone: Milestone, user) -> None:
    effect = milestone.step.effect
    if not effect:
        return
    congress = Congress.objects.select_for_update().get(pk=milestone.congress_id)
    done_on = milestone.done_on if milestone.status == MilestoneStatus.DONE else None
    if effect == StepEffect.REGISTER:
        if congress.registered_on == done_on:
            return
        congress.registered_on = done_on
    elif effect == StepEffect.HOLD:
        if congress.held_on == done_on:
            return
        congress.held_on = done_on
        congress.status = CongressStatus.HELD if done_on else CongressStatus.PREPARING
    _save_with_history(congress, user)


@transaction.atomic
def milestone_update(
    *, milestone: Milestone, user, status: str, done_on: dt.date | None = None,
    evidence_number: str | None = None, evidence_file=None, note: str | None = None,
) -> Milestone:
    """Record progress on a milestone: its status, the date done, the evidence, a note.

    Marking it done needs the date; reopening it clears the date. A "register" or "hold"
    step writes the same date onto the congress.
    """
    milestone = Milestone.objects.select_for_update().select_related("step", "congress").get(pk=milestone.pk)
    milestone.status = status
    milestone.done_on = done_on if status == MilestoneStatus.DONE else None
    if evidence_number is not None:
        milestone.evidence_number = evidence_number.strip()
    if evidence_file is not None:
        milestone.evidence_file = evidence_file
    if note is not None:
        milestone.note = note
    milestone.full_clean()
    with rollups.track_congress(milestone.congress_id):
        _save_with_history(milestone, user)
        _sync_congress_from_milestone(milestone, user)
    return milestone


def milestone_complete(*, milestone: Milestone, user, done_on: dt.date, evidence_number: str = "") -> Milestone:
    return milestone_update(
        milestone=milestone, user=user, status=MilestoneStatus.DONE, done_on=done_on,
        evidence_number=evidence_number,
    )


@transaction.atomic
def plan_apply_default(*, term: Term) -> list[PlanStep]:
    """Give a term the default plan (congresses.default_plan), in the active language.
    Steps the term already has (by code) are left as they are."""
    from .default_plan import DEFAULT_STEPS
    from .models import DueRule

    existing = set(term.steps.values_list("code", flat=True))
    created = []
    for order, (code, title, levels, offset, effect) in enumerate(DEFAULT_STEPS, start=1):
        if code in existing:
            continue
        step = PlanStep(
            term=term, code=code, title=_(title), order=order * 10, levels=levels,
            due_rule=DueRule.BEFORE if offset <= 0 else DueRule.AFTER, offset_days=abs(offset),
            effect=effect,
        )
        step.full_clean()
        step.save()
        created.append(step)
    return created
