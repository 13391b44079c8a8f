"""The rules that tie a congress to its milestones, in one place for the single services
(`congress_create`, `congress_update`, `milestone_update`) and the bulk ones
(`congresses_bulk_create`, `congresses_bulk_progress`). Each function changes objects in
memory and says whether it changed anything; the callers save, record history and update
the roll-ups.

- A new congress gets one milestone per plan step of its unit's level, due by the step's
  rule; the "register" milestone is done when the congress is created with a registered
  date (DOMAIN.md "Plan and milestones").
- A "register" or "hold" milestone and the congress's date registered / date held say the
  same thing: ticking the milestone writes the date onto the congress, and a date written
  on the congress ticks (or reopens) the milestone.
- A congress with a date held is held; a held congress needs that date.
- A congress belongs to a term that covers its unit's level.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from committees.models import Level

from .models import Congress, CongressStatus, Milestone, MilestoneStatus, PlanStep, StepEffect, Term


def term_error(term: Term, unit) -> str | None:
    """A congress belongs to a term that covers its unit's level (a cell on a shorter
    term of its own has its congress there)."""
    if not term.covers(unit.level):
        return _("The term %(term)s does not cover the level “%(level)s”.") % {
            "term": term.name, "level": Level(unit.level).label}
    return None


def steps_for(steps: list[PlanStep], level: str) -> list[PlanStep]:
    """The steps of a plan that a congress of `level` has."""
    return [s for s in steps if s.applies_to(level)]


def new_milestones(congress: Congress, steps: list[PlanStep]) -> list[Milestone]:
    """The milestones of a new congress, one per step (already filtered by level), unsaved."""
    out = []
    for step in steps:
        registered = step.effect == StepEffect.REGISTER and congress.registered_on is not None
        out.append(Milestone(
            congress=congress, step=step, due_date=step.compute_due(congress.planned_date),
            status=MilestoneStatus.DONE if registered else MilestoneStatus.NOT_STARTED,
            done_on=congress.registered_on if registered else None,
        ))
    return out


def congress_follows_milestone(congress: Congress, milestone: Milestone) -> bool:
    """Write what a "register" or "hold" milestone says onto its congress; True when the
    congress changed."""
    effect = milestone.step.effect
    done_on = milestone.done_on if milestone.is_done else None
    if effect == StepEffect.REGISTER and congress.registered_on != done_on:
        congress.registered_on = done_on
        return True
    if effect == StepEffect.HOLD and congress.held_on != done_on:
        congress.held_on = done_on
        congress.status = CongressStatus.HELD if done_on else CongressStatus.PREPARING
        return True
    return False


def milestone_follows_congress(milestone: Milestone, congress: Congress) -> bool:
    """Bring a "register" or "hold" milestone in line with the congress's date registered
    or date held; True when the milestone changed."""
    effect = milestone.step.effect
    if effect not in (StepEffect.REGISTER, StepEffect.HOLD):
        return False
    on = congress.registered_on if effect == StepEffect.REGISTER else congress.held_on
    if on and (milestone.status != MilestoneStatus.DONE or milestone.done_on != on):
        milestone.status, milestone.done_on = MilestoneStatus.DONE, on
    elif not on and milestone.status == MilestoneStatus.DONE:
        milestone.status, milestone.done_on = MilestoneStatus.IN_PROGRESS, None
    else:
        return False
    return True


def settle_status(congress: Congress) -> str | None:
    """A date held makes a preparing congress held. Returns the error when the congress is
    held without a date held, else None."""
    if congress.held_on and congress.status == CongressStatus.PREPARING:
        congress.status = CongressStatus.HELD
    if not congress.held_on and congress.status == CongressStatus.HELD:
        return _("A congress that has been held needs the date it was held.")
    return None


def apply_milestone_progress(milestone: Milestone, *, status: str, done_on, evidence_number: str | None,
                             note: str | None) -> None:
    """Record progress on a milestone: done needs a date, anything else clears it."""
    milestone.status = status
    milestone.done_on = done_on if status == MilestoneStatus.DONE else None
    if evidence_number is not None:
        milestone.evidence_number = evidence_number.strip()
    if note is not None:
        milestone.note = note
