"""Reads of the conclusions app: the pages' queries, the last conclusion before a day
(the briefing pack opens with it), and a task's page."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import Unit
from congresses.models import Subcommittee
from documents.models import Document

from .models import Body, BodyMember, Conclusion, Task, TaskReport, TaskStatus

TASK_RELATED = ("body", "unit", "subcommittee", "conclusion__unit", "concerns_unit", "concerns_congress",
                "concerns_document")


def bodies_of(unit: Unit) -> QuerySet[Body]:
    """The unit's bodies with their members and their open and overdue tasks, in two queries."""
    today = timezone.localdate()
    return (
        Body.objects.filter(unit=unit)
        .annotate(open_tasks=Count("tasks", filter=Q(tasks__status=TaskStatus.OPEN)),
                  overdue_tasks=Count("tasks", filter=Q(tasks__status=TaskStatus.OPEN, tasks__due_date__lt=today)))
        .prefetch_related(Prefetch("memberships", queryset=BodyMember.objects.select_related("user")))
        .order_by("-is_active", "name")
    )


def conclusions_of(unit: Unit) -> QuerySet[Conclusion]:
    today = timezone.localdate()
    return (
        Conclusion.objects.filter(unit=unit)
        .annotate(task_count=Count("tasks"),
                  done_count=Count("tasks", filter=Q(tasks__status=TaskStatus.DONE)),
                  late_count=Count("tasks", filter=Q(tasks__status=TaskStatus.OPEN, tasks__due_date__lt=today)))
        .select_related("chair").order_by("-held_on", "-pk")
    )


def last_conclusion(unit: Unit, before: dt.date | None = None) -> Conclusion | None:
    """The unit's latest conclusion held before `before` (not on it: the pack of a meeting
    opens with the previous meeting's conclusion), or the latest of all."""
    qs = Conclusion.objects.filter(unit=unit)
    if before is not None:
        qs = qs.filter(held_on__lt=before)
    return qs.select_related("chair", "unit").order_by("-held_on", "-pk").first()


def _last_report() -> Subquery:
    return Subquery(TaskReport.objects.filter(task_id=OuterRef("pk")).order_by("-created_at", "-pk").values("pk")[:1])


def tasks_of(conclusion: Conclusion) -> list[Task]:
    """The conclusion's tasks in order, each with `last_report` (or None): two queries."""
    tasks = list(conclusion.tasks.select_related(*TASK_RELATED).prefetch_related("due_changes")
                 .annotate(last_report_id=_last_report()).order_by("order", "pk"))
    reports = TaskReport.objects.select_related("created_by").in_bulk([t.last_report_id for t in tasks if t.last_report_id])
    for task in tasks:
        task.last_report = reports.get(task.last_report_id)
    return tasks


def my_tasks(user, *, include_done: bool = False) -> QuerySet[Task]:
    """The tasks the user answers on "my tasks": their bodies', their units' (accounts.access
    Scope.my_tasks_q), open first by due date."""
    qs = Task.objects.filter(user.scope.my_tasks_q()).select_related(*TASK_RELATED)
    if not include_done:
        qs = qs.filter(status=TaskStatus.OPEN)
    return qs.order_by("status", "due_date", "pk")


def task_page(task: Task) -> Task:
    return (Task.objects.select_related(*TASK_RELATED, "conclusion__chair", "done_by")
            .prefetch_related(Prefetch("reports", queryset=TaskReport.objects.select_related("created_by")),
                              Prefetch("due_changes"))
            .get(pk=task.pk))


def responsible_choices(unit: Unit) -> list[tuple[str, list[tuple[str, str]]]]:
    """The parties a task of the unit's conclusion can be given to, grouped for a <select>:
    its active bodies, the units directly under it, the subcommittees of its congress."""
    from congresses.selectors import current_terms

    bodies = [(f"body:{b.pk}", b.name) for b in Body.objects.filter(unit=unit, is_active=True).order_by("name")]
    units = [(f"unit:{u.pk}", u.name) for u in Unit.objects.filter(parent=unit, is_active=True).order_by("name")]
    subs = [(f"subcommittee:{s.pk}", s.title) for s in Subcommittee.objects.filter(congress__unit=unit)
            .filter(current_terms().q("congress__term", "congress__unit__level")).order_by("kind", "name")]
    groups = [(_("Boards and offices"), bodies), (_("Units below"), units), (_("Subcommittees of the congress"), subs)]
    return [(label, options) for label, options in groups if options]


def concern_unit_choices(unit: Unit) -> list[tuple[int, str]]:
    return [(unit.pk, unit.name)] + [(u.pk, u.name) for u in Unit.objects.filter(parent=unit).order_by("name")]


def document_choices() -> list[tuple[int, str]]:
    return [(d.pk, f"{d.number} — {d.title}") for d in Document.objects.order_by("-issued_on", "pk")[:200]]
