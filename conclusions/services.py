"""Writes of the conclusions app: bodies and their members, conclusions with their tasks,
progress reports, closing and carrying over. Every function is one transaction; views
and the admin call them and never save a model themselves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import Grant, GrantRole, User
from committees.models import Unit
from congresses.models import Congress, Subcommittee
from core.files import check_upload

from . import quarters
from .models import (
    Body,
    BodyMember,
    ConcernKind,
    Conclusion,
    MeetingKind,
    Task,
    TaskDueChange,
    TaskReport,
    TaskStatus,
)


def _history_user(obj, user) -> None:
    obj._history_user = user


def _check_file(upload, field: str) -> None:
    if upload:
        try:
            check_upload(upload)
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from exc


# --- Bodies -----------------------------------------------------------------------------------


@transaction.atomic
def body_create(*, unit: Unit, kind: str, name: str, user: User | None) -> Body:
    body = Body(unit=unit, kind=kind, name=name.strip())
    body.full_clean()
    _history_user(body, user)
    body.save()
    return body


@transaction.atomic
def body_update(*, body: Body, kind: str, name: str, is_active: bool, user: User | None) -> Body:
    body.kind, body.name, body.is_active = kind, name.strip(), is_active
    body.full_clean()
    _history_user(body, user)
    body.save()
    return body


def _sync_member_grant(*, person: User, unit: Unit, by: User | None) -> None:
    """Keep the person's "board member" grant on `unit` (accounts.access) exactly while they
    are a member of one of the unit's bodies; the grant services call grants_changed(), and
    a change of bodies within the unit changes the scope's body ids too."""
    member = BodyMember.objects.filter(user=person, body__unit=unit).exists()
    grant = Grant.objects.filter(user=person, role=GrantRole.BODY_MEMBER, unit=unit).first()
    if member and grant is None:
        account_services.grant_add(user=person, role=GrantRole.BODY_MEMBER, unit=unit, by=by)
    elif not member and grant is not None:
        account_services.grant_remove(grant=grant)
    else:
        from accounts import access

        access.grants_changed(person)


@transaction.atomic
def body_member_add(*, body: Body, person: User, user: User | None) -> BodyMember:
    """Make `person` a member of `body`: they see and answer its tasks from the commit on.

    1. lock the person's row (two memberships added at once keep one grant);
    2. write the membership;
    3. give the "board member" grant on the body's unit if they did not hold it, and
       replace their grants version (their scope's body ids change).
    """
    User.objects.select_for_update().filter(pk=person.pk).first()
    if not person.is_active:
        raise ValidationError({"username": _("This account is disabled.")})
    member = BodyMember(body=body, user=person, added_by=user)
    member.full_clean()
    member.save()
    _sync_member_grant(person=person, unit=body.unit, by=user)
    return member


@transaction.atomic
def body_member_remove(*, member: BodyMember, user: User | None) -> None:
    person, unit = member.user, member.body.unit
    User.objects.select_for_update().filter(pk=person.pk).first()
    BodyMember.objects.filter(pk=member.pk).delete()
    _sync_member_grant(person=person, unit=unit, by=user)


# --- Conclusions ---------------------------------------------------------------------------------


@dataclass
class TaskSpec:
    """One task row as the form gives it: the responsible party (one of body, unit,
    subcommittee), what, a due date or next_quarter, and what it concerns."""

    what: str
    body: Body | None = None
    unit: Unit | None = None
    subcommittee: Subcommittee | None = None
    due_date: dt.date | None = None
    next_quarter: bool = False
    concerns: str = ""
    concerns_unit: Unit | None = None
    concerns_document: object = None  # a documents.Document


def next_quarter_due(conclusion: Conclusion) -> dt.date:
    """A task due "next quarter": the end of the quarter after the briefing's quarter (a
    briefing of quarter II/2015 held on 7/7 gives tasks for quarter III: 30/09/2015), or
    after the meeting's own quarter for another meeting."""
    if conclusion.year and conclusion.quarter:
        return quarters.next_quarter_end(conclusion.year, conclusion.quarter)
    return quarters.next_quarter_end(*quarters.quarter_of(conclusion.held_on))


def _congress_of(unit: Unit) -> Congress | None:
    from congresses.selectors import current_terms

    return (Congress.objects.filter(unit=unit).filter(current_terms().q("term", "unit__level"))
            .order_by("-term__start_year").first())


def _task(conclusion: Conclusion, spec: TaskSpec, order: int) -> Task:
    """A task from its spec, checked against the conclusion: the responsible body is the
    unit's, the responsible unit is below it, the subcommittee is its congress's."""
    unit = conclusion.unit
    errors: dict[str, list[str]] = {}
    if spec.body is not None and spec.body.unit_id != unit.pk:
        errors.setdefault("responsible", []).append(_("Choose a body of this unit."))
    if spec.body is not None and not spec.body.is_active:
        errors.setdefault("responsible", []).append(_("This body is no longer active."))
    if spec.unit is not None and (spec.unit.pk == unit.pk or not spec.unit.path.startswith(unit.path)):
        errors.setdefault("responsible", []).append(_("Choose a unit under this unit."))
    if spec.subcommittee is not None and spec.subcommittee.congress.unit_id != unit.pk:
        errors.setdefault("responsible", []).append(_("Choose a subcommittee of this unit's congress."))
    if spec.due_date is None and not spec.next_quarter:
        errors.setdefault("due_date", []).append(_("Give a due date, or tick “next quarter”."))
    due = next_quarter_due(conclusion) if spec.next_quarter else spec.due_date
    if due is not None and due < conclusion.held_on:
        errors.setdefault("due_date", []).append(_("The due date is before the meeting."))
    concerns_unit = concerns_congress = concerns_document = None
    if spec.concerns in (ConcernKind.UNIT, ConcernKind.CONGRESS, ConcernKind.PETITIONS):
        concerns_unit = spec.concerns_unit
        if concerns_unit is None or not concerns_unit.path.startswith(unit.path):
            errors.setdefault("concerns_unit", []).append(_("Choose this unit or a unit under it."))
        elif spec.concerns == ConcernKind.CONGRESS:
            concerns_congress = _congress_of(concerns_unit)
            if concerns_congress is None:
                errors.setdefault("concerns_unit", []).append(_("This unit has no congress in the current term."))
    elif spec.concerns == ConcernKind.DOCUMENT:
        concerns_document = spec.concerns_document
        if concerns_document is None:
            errors.setdefault("concerns_document", []).append(_("Choose the document."))
    if errors:
        raise ValidationError(errors)
    task = Task(conclusion=conclusion, order=order, body=spec.body, unit=spec.unit, subcommittee=spec.subcommittee,
                what=spec.what.strip(), due_date=due, concerns=spec.concerns or "",
                concerns_unit=concerns_unit,
                concerns_congress=concerns_congress, concerns_document=concerns_document)
    task.full_clean(exclude=["conclusion"])
    return task


class TaskErrors(ValidationError):
    """The errors of the task rows: {row index: ValidationError}, for the formset."""

    def __init__(self, rows: dict[int, ValidationError]):
        super().__init__(_("Some tasks need correcting."))
        self.rows = rows


@transaction.atomic
def conclusion_record(*, unit: Unit, kind: str, held_on: dt.date, text: str, tasks: list[TaskSpec],
                      user: User | None, chair: User | None = None, chair_name: str = "",
                      year: int | None = None, quarter: int | None = None) -> Conclusion:
    """Record a meeting's conclusion with its tasks.

    1. validate the meeting (a briefing names its year and quarter);
    2. validate every task row against the unit (TaskErrors names the bad rows);
    3. write the conclusion and its tasks, with history rows naming `user`.
    """
    conclusion = Conclusion(unit=unit, created_by=user)
    _set_meeting(conclusion, kind=kind, held_on=held_on, text=text, chair=chair, chair_name=chair_name,
                 year=year, quarter=quarter)
    if not tasks:
        raise ValidationError(_("Give at least one task."))
    built = _tasks(conclusion, tasks, first=1)
    _history_user(conclusion, user)
    conclusion.save()
    _save_tasks(conclusion, built, user)
    return conclusion


def _set_meeting(conclusion: Conclusion, *, kind: str, held_on: dt.date, text: str, chair: User | None,
                 chair_name: str, year: int | None, quarter: int | None) -> None:
    """Put the meeting's fields on `conclusion` and check them (a briefing names its year
    and quarter; the chair is named, as a portal user or in words)."""
    if kind == MeetingKind.BRIEFING and not (year and quarter):
        raise ValidationError({"quarter": _("A quarterly briefing names its year and quarter.")})
    conclusion.kind, conclusion.held_on, conclusion.text = kind, held_on, text.strip()
    conclusion.chair, conclusion.chair_name = chair, chair_name.strip()
    conclusion.year, conclusion.quarter = year or None, quarter or None
    if not conclusion.chair_name and chair is None:
        raise ValidationError({"chair_name": _("Name the chair of the meeting.")})
    conclusion.full_clean()


def _tasks(conclusion: Conclusion, specs: list[TaskSpec], *, first: int) -> list[Task]:
    """The tasks of `specs`, numbered from `first`, each checked (TaskErrors names the bad rows)."""
    built, errors = [], {}
    for index, spec in enumerate(specs):
        try:
            built.append(_task(conclusion, spec, first + index))
        except ValidationError as exc:
            errors[index] = exc
    if errors:
        raise TaskErrors(errors)
    return built


def _save_tasks(conclusion: Conclusion, tasks: list[Task], user: User | None) -> None:
    for task in tasks:
        task.conclusion = conclusion
        _history_user(task, user)
        task.save()


@transaction.atomic
def conclusion_correct(*, conclusion: Conclusion, kind: str, held_on: dt.date, text: str, user: User | None,
                       chair: User | None = None, chair_name: str = "", year: int | None = None,
                       quarter: int | None = None, new_tasks: list[TaskSpec] = ()) -> Conclusion:
    """Correct a recorded conclusion (a wrong date, quarter, chair or word) and add tasks
    it forgot. The tasks already given keep their due dates and their history: a task's
    date moves by carrying it over, with a reason.

    1. lock the conclusion's row (two corrections at once: the second sees the first);
    2. check the meeting as when it was recorded, and the new task rows against the unit;
    3. save, with a history row naming `user`, and number the new tasks after the others.
    """
    conclusion = Conclusion.objects.select_for_update().get(pk=conclusion.pk)
    _set_meeting(conclusion, kind=kind, held_on=held_on, text=text, chair=chair, chair_name=chair_name,
                 year=year, quarter=quarter)
    last = conclusion.tasks.aggregate(last=models.Max("order"))["last"] or 0
    built = _tasks(conclusion, list(new_tasks), first=last + 1)
    _history_user(conclusion, user)
    conclusion.save()
    _save_tasks(conclusion, built, user)
    return conclusion


# --- Tracking ------------------------------------------------------------------------------------


def _lock(task: Task) -> Task:
    return Task.objects.select_for_update().get(pk=task.pk)


@transaction.atomic
def task_report(*, task: Task, text: str, evidence=None, user: User | None) -> TaskReport:
    """A progress report on an open task, with an optional file checked by its content."""
    task = _lock(task)
    if task.status == TaskStatus.DONE:
        raise ValidationError(_("This task is closed."))
    _check_file(evidence, "evidence")
    report = TaskReport(task=task, text=text.strip(), evidence=evidence or "", created_by=user)
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def task_close(*, task: Task, text: str, evidence=None, done_on: dt.date | None = None,
               user: User | None) -> Task:
    """Close a task with what was done and its evidence (a file checked by its content,
    or the report text alone). A closed task no longer matches the reminder scan."""
    task = _lock(task)
    if task.status == TaskStatus.DONE:
        raise ValidationError(_("This task is closed already."))
    today = timezone.localdate()
    done_on = done_on or today
    errors = {}
    if not text.strip():
        errors["text"] = [_("Say what was done.")]
    if done_on > today:
        errors["done_on"] = [_("A task cannot be done on a day still to come.")]
    if errors:
        raise ValidationError(errors)
    _check_file(evidence, "evidence")
    task.status, task.done_on, task.done_text, task.done_by = TaskStatus.DONE, done_on, text.strip(), user
    if evidence:
        task.done_evidence = evidence
    _history_user(task, user)
    task.save()
    return task


@transaction.atomic
def task_carry_over(*, task: Task, reason: str, user: User | None) -> Task:
    """Carry an open task over to the next quarter: due at the end of the quarter after
    the one it is due in now, the move and its reason kept (TaskDueChange) and shown on
    the task's page. Its reminders follow the new date (the scan matches due dates)."""
    task = _lock(task)
    if task.status == TaskStatus.DONE:
        raise ValidationError(_("This task is closed."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the task is carried over.")})
    new_due = quarters.next_quarter_end(*quarters.quarter_of(task.due_date))
    TaskDueChange.objects.create(task=task, from_date=task.due_date, to_date=new_due, reason=reason.strip(),
                                 changed_by=user)
    task.due_date, task.carried_over = new_due, task.carried_over + 1
    _history_user(task, user)
    task.save()
    return task
