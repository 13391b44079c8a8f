"""Writes of petitions. Each is typed, keyword-only and atomic, locks the case row, checks
the step against the workflow (`models.TRANSITIONS`), records it (`PetitionStep`, history
rows of the case) and keeps the roll-ups (petitions.progress) in the same transaction.

Workflow (DOMAIN.md "Petition"): received → classified (accepted, transferred with the
recipient, or kept for reference) → verifying → concluded (conclusion text and file) →
answered and closed. The due date follows the step: received + the kind's days to
classify, then accepted + its days to resolve, plus every extension; once the case is
resolved (or transferred, or filed) it is no longer counted or reminded.

Who may call these is the handlers of the unit's subtree and administrators
(`Scope.can_handle_petition`); every service asks again, so that a script or an admin
action cannot work a case of the wrong unit.

Confidentiality: nothing here logs, raises or returns the sender's identity. Messages and
log lines name cases by id.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import scope_for
from accounts.models import User
from core.files import check_upload

from . import progress as petition_progress
from .models import (
    DEFAULT_DEADLINES,
    DeadlineRule,
    Petition,
    PetitionAttachment,
    PetitionExtension,
    PetitionSender,
    PetitionStatus,
    PetitionStep,
    StepAction,
)

log = logging.getLogger(__name__)

MAX_EXTENSION_DAYS = 60
SENDER_FIELDS = ("full_name", "contact", "address")


def deadline_days(kind: str) -> tuple[int, int]:
    """(days to classify, days to resolve) of a kind: the admins' rule, else the law's."""
    rule = DeadlineRule.objects.filter(kind=kind).first()
    if rule is not None:
        return rule.days_to_classify, rule.days_to_resolve
    return DEFAULT_DEADLINES[kind]


def _today() -> dt.date:
    return timezone.localdate()


def _may_handle(user, unit) -> None:
    if not scope_for(user).can_handle_petition(unit):
        raise PermissionDenied(_("You do not handle the petitions of this unit."))


def _lock(petition: Petition) -> Petition:
    return Petition.objects.select_for_update().select_related("unit").get(pk=petition.pk)


def _save(petition: Petition, user) -> None:
    petition.full_clean(exclude=["conclusion_file"])
    petition._history_user = user
    petition.save()


def _step(petition: Petition, user, action: str, old: str, note: str = "") -> PetitionStep:
    return PetitionStep.objects.create(petition=petition, action=action, from_status=old, to_status=petition.status,
                                       actor=user, note=note, due_on=petition.due_on)


def _move(petition: Petition, to: str) -> str:
    """Check that the workflow allows `to` from the case's state; return the old state."""
    old = petition.status
    if to not in petition.next_statuses:
        raise ValidationError(_("A case that is “%(old)s” cannot become “%(new)s”.") % {
            "old": PetitionStatus(old).label, "new": PetitionStatus(to).label})
    petition.status = to
    return old


def _check_nominee(unit, nominee) -> None:
    if nominee is not None and nominee.plan.congress.unit_id != unit.pk:
        raise ValidationError({"nominee": _("Choose a nominee of the concerned unit's personnel plan.")})


def _attach(petition: Petition, files: Iterable, user) -> list[PetitionAttachment]:
    out = []
    for upload in files or ():
        try:
            check_upload(upload)
        except ValidationError as exc:
            raise ValidationError({"attachments": exc.messages}) from exc
        out.append(PetitionAttachment.objects.create(petition=petition, file=upload, name=(upload.name or "")[:255],
                                                     uploaded_by=user))
    return out


@transaction.atomic
def petition_register(*, user: User, unit, received_on: dt.date, channel: str, kind: str, summary: str,
                      anonymous: bool = True, sender: Mapping | None = None, nominee=None,
                      about_personnel: bool = False, handler: User | None = None,
                      files: Iterable = ()) -> Petition:
    """Register a petition received by the handlers.

    1. check that the user handles the unit's petitions, the nominee is of its plan, a
       named petition has a sender's name and an anonymous one none;
    2. write the case, due `received_on` + the kind's days to classify; a nominee makes
       it a personnel petition;
    3. write the sender apart (encrypted, no history), the attachments (checked by
       content), the "registered" step, the assignment if a handler is given;
    4. add it to the roll-ups.
    """
    _may_handle(user, unit)
    _check_nominee(unit, nominee)
    if received_on > _today():
        raise ValidationError({"received_on": _("A petition cannot be received after today.")})
    sender = {k: (v or "").strip() for k, v in (sender or {}).items() if k in SENDER_FIELDS}
    if anonymous and any(sender.values()):
        raise ValidationError({"anonymous": _("An anonymous petition has no sender: clear the sender's fields or "
                                              "untick “anonymous”.")})
    if not anonymous and not sender.get("full_name"):
        raise ValidationError({"sender_name": _("Enter the sender's name, or tick “anonymous”.")})
    classify_days, _resolve = deadline_days(kind)
    petition = Petition(
        received_on=received_on, channel=channel, kind=kind, unit=unit, nominee=nominee,
        about_personnel=about_personnel or nominee is not None, summary=summary.strip(), anonymous=anonymous,
        due_on=received_on + dt.timedelta(days=classify_days), registered_by=user,
    )
    _save(petition, user)
    if not anonymous:
        row = PetitionSender(petition=petition, **sender)
        row.full_clean()
        row.save()
    _attach(petition, files, user)
    _step(petition, user, StepAction.REGISTER, "")
    if handler is not None:
        _assign(petition, handler, user)
    petition_progress.petition_changed(petition, {})
    log.info("petition %s registered by user %s", petition.pk, user.pk)
    return petition


def handler_choices(unit) -> list[User]:
    """The users who may be assigned a case of `unit`: the holders of a handler grant on
    the unit or an ancestor (accounts.access), active."""
    from accounts.access import roles_with
    from accounts.models import Grant

    ids = Grant.objects.filter(role__in=roles_with("handles_petitions"),
                               unit_id__in=[*unit.ancestor_ids, unit.pk]).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "username"))


def _assign(petition: Petition, handler: User, user) -> None:
    if handler.pk not in {u.pk for u in handler_choices(petition.unit)}:
        raise ValidationError({"handler": _("Choose a handler of this unit's petitions.")})
    petition.handler = handler
    _save(petition, user)
    _step(petition, user, StepAction.ASSIGN, petition.status, note=str(handler))


@transaction.atomic
def petition_assign(*, petition: Petition, handler: User, user) -> Petition:
    """Give the case to a handler (among those holding a grant over its unit): their queue
    and their reminders."""
    petition = _lock(petition)
    _may_handle(user, petition.unit)
    _assign(petition, handler, user)
    return petition


@transaction.atomic
def petition_classify(*, petition: Petition, user, decision: str, transferred_to: str = "",
                      note: str = "") -> Petition:
    """Classify a received case: accepted for handling (due from today + the kind's days to
    resolve), transferred to the competent body (named), or kept for reference."""
    petition = _lock(petition)
    _may_handle(user, petition.unit)
    before = petition_progress.snapshot(petition)
    actions = {PetitionStatus.ACCEPTED: StepAction.ACCEPT, PetitionStatus.TRANSFERRED: StepAction.TRANSFER,
               PetitionStatus.FILED: StepAction.FILE}
    if decision not in actions:
        raise ValidationError({"decision": _("Choose: accept, transfer or keep for reference.")})
    old = _move(petition, decision)
    today = _today()
    petition.classified_on = today
    if decision == PetitionStatus.TRANSFERRED:
        if not transferred_to.strip():
            raise ValidationError({"transferred_to": _("Name the body the petition is transferred to.")})
        petition.transferred_to = transferred_to.strip()
        note = note or petition.transferred_to
    if decision == PetitionStatus.ACCEPTED:
        petition.due_on = today + dt.timedelta(days=deadline_days(petition.kind)[1])
    _save(petition, user)
    _step(petition, user, actions[decision], old, note.strip())
    petition_progress.petition_changed(petition, before)
    return petition


@transaction.atomic
def petition_verify(*, petition: Petition, user, note: str = "") -> Petition:
    """Start the verification of an accepted case (xác minh)."""
    petition = _lock(petition)
    _may_handle(user, petition.unit)
    old = _move(petition, PetitionStatus.VERIFYING)
    _save(petition, user)
    _step(petition, user, StepAction.VERIFY, old, note.strip())
    return petition


@transaction.atomic
def petition_conclude(*, petition: Petition, user, conclusion: str, conclusion_file=None) -> Petition:
    """Conclude the verification: the conclusion's text, and its signed file. The case is
    resolved from now on: no longer counted, reminded, or blocking the personnel plan."""
    petition = _lock(petition)
    _may_handle(user, petition.unit)
    before = petition_progress.snapshot(petition)
    if not conclusion.strip():
        raise ValidationError({"conclusion": _("Write the conclusion.")})
    old = _move(petition, PetitionStatus.CONCLUDED)
    if conclusion_file is not None:
        try:
            check_upload(conclusion_file)
        except ValidationError as exc:
            raise ValidationError({"conclusion_file": exc.messages}) from exc
        petition.conclusion_file = conclusion_file
    petition.conclusion = conclusion.strip()
    petition.concluded_on = _today()
    _save(petition, user)
    _step(petition, user, StepAction.CONCLUDE, old)
    petition_progress.petition_changed(petition, before)
    return petition


@transaction.atomic
def petition_close(*, petition: Petition, user, note: str = "") -> Petition:
    """The answer has been sent (to the sender, or published for an anonymous letter that
    asked for it): the case is closed."""
    petition = _lock(petition)
    _may_handle(user, petition.unit)
    old = _move(petition, PetitionStatus.CLOSED)
    petition.closed_on = _today()
    _save(petition, user)
    _step(petition, user, StepAction.CLOSE, old, note.strip())
    return petition


@transaction.atomic
def petition_extend(*, petition: Petition, user, days: int, reason: str) -> PetitionExtension:
    """Extend an open case's deadline by `days`, with the reason; recorded as an extension
    and a step. The reminders follow the new due date from the next scan."""
    petition = _lock(petition)
    _may_handle(user, petition.unit)
    if not petition.is_open:
        raise ValidationError(_("Only an open case has a deadline to extend."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    if not 1 <= int(days) <= MAX_EXTENSION_DAYS:
        raise ValidationError({"days": _("Extend by 1 to %(max)d days.") % {"max": MAX_EXTENSION_DAYS}})
    before = petition_progress.snapshot(petition)
    old_due = petition.due_on
    petition.due_on = old_due + dt.timedelta(days=int(days))
    _save(petition, user)
    extension = PetitionExtension.objects.create(petition=petition, days=int(days), reason=reason.strip(),
                                                 old_due_on=old_due, new_due_on=petition.due_on, by=user)
    _step(petition, user, StepAction.EXTEND, petition.status, reason.strip())
    petition_progress.petition_changed(petition, before)
    return extension


@transaction.atomic
def attachment_add(*, petition: Petition, user, files: Iterable) -> list[PetitionAttachment]:
    petition = _lock(petition)
    _may_handle(user, petition.unit)
    return _attach(petition, files, user)


@transaction.atomic
def deadline_rules_update(*, user, rows: Mapping[str, tuple[int, int]]) -> list[DeadlineRule]:
    """Set the days to classify and to resolve of each kind (administrators only)."""
    if not scope_for(user).is_admin:
        raise PermissionDenied
    out = []
    for kind, (classify, resolve) in rows.items():
        rule = DeadlineRule.objects.filter(kind=kind).first() or DeadlineRule(kind=kind)
        rule.days_to_classify, rule.days_to_resolve, rule.updated_by = classify, resolve, user
        rule.full_clean()
        rule._history_user = user
        rule.save()
        out.append(rule)
    return out
