"""Writes of the personnel plans. Each is typed, keyword-only and atomic, locks the plan
row, records who acted (history rows, transitions), recomputes the stored check flags and
keeps the roll-ups (personnel.progress) in the same transaction.

Who may call which service is decided by the views through accounts.access
(`Scope.can_prepare_personnel`, `can_approve_personnel`); the services check it again for
the workflow steps, so that an admin action or a script cannot approve a plan of the
wrong unit.

Nothing here logs a nominee's name: log lines, emails and exceptions name plans by id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import scope_for
from congresses.models import Congress

from . import checks, hooks
from . import progress as plan_progress
from .models import Body, Election, Nominee, PersonnelPlan, PlanRead, PlanStatus, PlanTransition

PLAN_FIELDS = ("executive_seats", "standing_seats", "deputy_seats", "inspection_seats", "delegation_seats",
               "secretary_elected_directly", "planning_reviewed", "planning_added")
NOMINEE_FIELDS = ("full_name", "date_of_birth", "gender", "ethnicity", "education", "political_theory",
                  "current_position", "renominated", "bodies", "order")


def _lock(plan: PersonnelPlan) -> PersonnelPlan:
    return PersonnelPlan.objects.select_for_update().select_related("congress__unit", "congress__term").get(pk=plan.pk)


def _save(plan: PersonnelPlan, user) -> None:
    plan.full_clean()
    plan._history_user = user
    plan.updated_by = user
    plan.save()


def _refresh_flags(plan: PersonnelPlan) -> list[checks.Check]:
    found = checks.run(plan)
    plan.composition_met = checks.composition_met(found)
    return found


def _editable(plan: PersonnelPlan) -> None:
    if not plan.is_editable:
        raise ValidationError(_("The plan is %(status)s: it cannot be changed now.") % {
            "status": plan.get_status_display().lower()})


def _transition(plan: PersonnelPlan, user, old: str, comment: str = "") -> None:
    PlanTransition.objects.create(plan=plan, revision=plan.revision, from_status=old, to_status=plan.status,
                                  by=user, comment=comment)


@transaction.atomic
def plan_create(*, congress: Congress, user, data: Mapping | None = None) -> PersonnelPlan:
    """Open the personnel plan of a congress (a draft), with its seats."""
    congress = Congress.objects.select_for_update().select_related("unit", "term").get(pk=congress.pk)
    if PersonnelPlan.objects.filter(congress=congress).exists():
        raise ValidationError(_("This congress already has a personnel plan."))
    plan = PersonnelPlan(congress=congress, **{k: v for k, v in (data or {}).items() if k in PLAN_FIELDS})
    before = plan_progress.flags(None)
    plan.composition_met = checks.composition_met(checks.run(plan, nominees=[]))
    _save(plan, user)
    plan_progress.plan_changed(plan, before)
    return plan


@transaction.atomic
def plan_update(*, plan: PersonnelPlan, user, data: Mapping) -> PersonnelPlan:
    """Change the seats and the cadre-planning review of a draft or returned plan."""
    plan = _lock(plan)
    _editable(plan)
    before = plan_progress.flags(plan)
    for name, value in data.items():
        if name in PLAN_FIELDS:
            setattr(plan, name, value)
    _refresh_flags(plan)
    _save(plan, user)
    plan_progress.plan_changed(plan, before)
    return plan


def _after_nominees(plan: PersonnelPlan, user) -> None:
    before = plan_progress.flags(plan)
    _refresh_flags(plan)
    _save(plan, user)
    plan_progress.plan_changed(plan, before)


@transaction.atomic
def nominee_add(*, plan: PersonnelPlan, user, data: Mapping) -> Nominee:
    plan = _lock(plan)
    _editable(plan)
    values = {k: v for k, v in data.items() if k in NOMINEE_FIELDS}
    values.setdefault("order", plan.nominees.count() + 1)
    nominee = Nominee(plan=plan, **values)
    nominee.full_clean()
    nominee._history_user = user
    nominee.save()
    _after_nominees(plan, user)
    return nominee


@transaction.atomic
def nominee_update(*, nominee: Nominee, user, data: Mapping) -> Nominee:
    plan = _lock(nominee.plan)
    _editable(plan)
    nominee = Nominee.objects.get(pk=nominee.pk)
    for name, value in data.items():
        if name in NOMINEE_FIELDS:
            setattr(nominee, name, value)
    nominee.full_clean()
    nominee._history_user = user
    nominee.save()
    _after_nominees(plan, user)
    return nominee


@transaction.atomic
def nominee_remove(*, nominee: Nominee, user) -> None:
    plan = _lock(nominee.plan)
    _editable(plan)
    nominee._history_user = user
    nominee.delete()
    _after_nominees(plan, user)


@transaction.atomic
def check_acknowledge(*, plan: PersonnelPlan, user, code: str, reason: str) -> PersonnelPlan:
    """The secretary acknowledges a failing check with a reason the superior reads (a
    young cadre who is not yet ready, a body too small for the surplus…)."""
    plan = _lock(plan)
    _editable(plan)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the plan departs from this check.")})
    if code not in {c.code for c in checks.run(plan)}:
        raise ValidationError({"code": _("No such check on this plan.")})
    plan.acknowledgements = {**plan.acknowledgements,
                             code: {"reason": reason, "by": user.pk, "at": timezone.now().isoformat()}}
    _save(plan, user)
    return plan


def unacknowledged(plan: PersonnelPlan, found: Iterable[checks.Check]) -> list[checks.Check]:
    return [c for c in found if not c.ok and c.code not in plan.acknowledgements]


@transaction.atomic
def plan_submit(*, plan: PersonnelPlan, user, comment: str = "") -> PersonnelPlan:
    """Submit the plan to the superior: every failing check must be acknowledged."""
    plan = _lock(plan)
    if not scope_for(user).can_prepare_personnel(plan.congress.unit):
        raise PermissionDenied
    _editable(plan)
    found = _refresh_flags(plan)
    if not plan.nominees.exists():
        raise ValidationError(_("Enter the nominees before submitting the plan."))
    if missing := unacknowledged(plan, found):
        raise ValidationError(_("Acknowledge each failing check with a reason first: %(checks)s") % {
            "checks": "; ".join(c.figures for c in missing)})
    before = plan_progress.flags(plan)
    old, plan.status = plan.status, PlanStatus.SUBMITTED
    _save(plan, user)
    _transition(plan, user, old, comment)
    plan_progress.plan_changed(plan, before)
    return plan


def _decide(plan: PersonnelPlan, user) -> PersonnelPlan:
    plan = _lock(plan)
    if not scope_for(user).can_approve_personnel(plan.congress.unit):
        raise PermissionDenied
    if plan.status != PlanStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted plan can be approved or returned."))
    return plan


@transaction.atomic
def plan_return(*, plan: PersonnelPlan, user, comment: str) -> PersonnelPlan:
    """The superior returns the plan with comments; the secretary fixes it and submits again."""
    plan = _decide(plan, user)
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what to change.")})
    before = plan_progress.flags(plan)
    plan.status = PlanStatus.RETURNED
    _save(plan, user)
    _transition(plan, user, PlanStatus.SUBMITTED, comment.strip())
    plan_progress.plan_changed(plan, before)
    return plan


@transaction.atomic
def plan_approve(*, plan: PersonnelPlan, user, comment: str = "") -> PersonnelPlan:
    """The superior's secretary (or an admin) approves the plan, which freezes it. Refused
    while a registered blocker (an open petition about a nominee) gives a reason."""
    plan = _decide(plan, user)
    if reasons := hooks.blocking_reasons(plan):
        raise ValidationError(_("The plan cannot be approved yet: %(reasons)s") % {"reasons": "; ".join(reasons)})
    before = plan_progress.flags(plan)
    plan.status = PlanStatus.APPROVED
    _save(plan, user)
    _transition(plan, user, PlanStatus.SUBMITTED, comment)
    plan_progress.plan_changed(plan, before)
    return plan


@transaction.atomic
def plan_revise(*, plan: PersonnelPlan, user, reason: str) -> PersonnelPlan:
    """Reopen an approved plan for a change: a new revision, a draft to submit again. The
    approved revision stays in the history and the transitions."""
    plan = _lock(plan)
    if not scope_for(user).can_prepare_personnel(plan.congress.unit):
        raise PermissionDenied
    if plan.status != PlanStatus.APPROVED:
        raise ValidationError(_("Only an approved plan is revised; change the draft directly."))
    if plan.results_entered:
        raise ValidationError(_("The results are entered: the plan is final."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the approved plan changes.")})
    before = plan_progress.flags(plan)
    plan.status = PlanStatus.DRAFT
    plan.revision += 1
    plan.acknowledgements = {}
    _save(plan, user)
    _transition(plan, user, PlanStatus.APPROVED, reason.strip())
    plan_progress.plan_changed(plan, before)
    return plan


@dataclass(frozen=True)
class Elected:
    nominee_id: int
    body: str
    votes: int
    ballots: int
    round: int = 1


@transaction.atomic
def results_enter(*, plan: PersonnelPlan, user, elected: Iterable[Elected]) -> PersonnelPlan:
    """Record who was elected to each body after the congress (replacing what was entered
    before): only nominees of the approved plan proposed for that body, once the congress
    has been held."""
    plan = _lock(plan)
    if not scope_for(user).can_prepare_personnel(plan.congress.unit):
        raise PermissionDenied
    if plan.status != PlanStatus.APPROVED:
        raise ValidationError(_("Results are entered on the approved plan."))
    if not plan.congress.is_held:
        raise ValidationError(_("Results are entered once the congress has been held."))
    nominees = {n.pk: n for n in plan.nominees.all()}
    rows = []
    for e in elected:
        nominee = nominees.get(e.nominee_id)
        if nominee is None or e.body not in nominee.bodies:
            raise ValidationError(_("Only a nominee proposed for a body can be elected to it."))
        row = Election(plan=plan, nominee=nominee, body=e.body, votes=e.votes, ballots=e.ballots, round=e.round)
        row.full_clean(exclude=["plan", "nominee"])
        rows.append(row)
    for body, seats in plan.seats().items():
        if sum(1 for r in rows if r.body == body) > seats:
            raise ValidationError(_("%(body)s: more elected than seats.") % {"body": Body(body).label})
    before = plan_progress.flags(plan)
    for old in plan.elections.all():
        old._history_user = user
        old.delete()
    for row in rows:
        row._history_user = user
        row.save()
    plan.results_entered = bool(rows)
    _save(plan, user)
    plan_progress.plan_changed(plan, before)
    return plan


def plan_read_record(*, plan: PersonnelPlan, user, page: str) -> PlanRead:
    """Log one read of a plan's confidential page (who, when, which plan, which page). In
    the request's transaction (ATOMIC_REQUESTS or not): a page that failed to render has
    still been asked for."""
    return PlanRead.objects.create(plan=plan, user=user, page=page)
