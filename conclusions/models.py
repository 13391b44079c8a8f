"""The standing committee's conclusions and the tasks they give (DOMAIN.md "Briefing";
issue 16; seeds 002 and 004).

- `Body`: an advisory board or office of a unit ("Ban Tổ chức Tỉnh ủy", "Văn phòng Tỉnh
  ủy"), with its members (`BodyMember`, portal users), who answer its tasks;
- `Conclusion`: a meeting of the unit's standing committee (a quarterly briefing, a
  meeting, another) and the chair's conclusion (kết luận);
- `Task`: one thing the conclusion asks of a body, a subordinate unit or a subcommittee of
  the unit's congress, by a due date, optionally about a unit, a congress, a guiding
  document or the petitions of a unit (a count, never a petition's content);
- `TaskReport`: a progress report on a task; `TaskDueChange`: a due date moved (carried
  over to the next quarter) with its reason, so the history stays visible.

Rows are written only by `conclusions.services`; who may read and answer what is decided
by accounts.access (Scope.task_q, answers_task_q, can_keep_conclusions).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .querysets import BodyQuerySet, ConclusionQuerySet, TaskQuerySet


class BodyKind(models.TextChoices):
    """The advisory boards and offices of a party committee (seeds 002, 004)."""

    ORGANISATION = "organisation", _("Organisation Board")
    PROPAGANDA = "propaganda", _("Propaganda (and Mass Mobilisation) Board")
    INTERNAL_AFFAIRS = "internal_affairs", _("Internal Affairs Board")
    INSPECTION = "inspection", _("Inspection Committee")
    MASS_MOBILISATION = "mass_mobilisation", _("Mass Mobilisation Board")
    OFFICE = "office", _("Office")
    FATHERLAND_FRONT = "fatherland_front", _("Fatherland Front")
    OTHER = "other", _("Other")


class Body(models.Model):
    """A board or office of a unit, named as the unit calls it ("Ban Tổ chức Tỉnh ủy")."""

    unit = models.ForeignKey("committees.Unit", verbose_name=_("unit"), related_name="bodies",
                             on_delete=models.PROTECT)
    kind = models.CharField(_("kind"), max_length=24, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=255, help_text=_("e.g. Ban Tổ chức Tỉnh ủy"))
    is_active = models.BooleanField(_("active"), default=True,
                                    help_text=_("An inactive body keeps its tasks but gets no new ones."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()
    objects = BodyQuerySet.as_manager()

    class Meta:
        verbose_name = _("board or office")
        verbose_name_plural = _("boards and offices")
        ordering = ["unit", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="body_unique_name_per_unit",
                                    violation_error_message=_("The unit already has a body with this name.")),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("conclusions:body_detail", args=[self.pk])


class BodyMember(models.Model):
    """A portal user who is a member of a body: they see and answer its tasks. The
    conclusions services keep their "board member" grant (accounts.access) in step."""

    body = models.ForeignKey(Body, verbose_name=_("body"), related_name="memberships", on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), related_name="body_memberships",
                             on_delete=models.CASCADE)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("added by"), related_name="+",
                                 on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("member of a body")
        verbose_name_plural = _("members of bodies")
        ordering = ["body", "user__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["body", "user"], name="bodymember_once",
                                    violation_error_message=_("The user is already a member of this body.")),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.body}"


class MeetingKind(models.TextChoices):
    BRIEFING = "briefing", _("Quarterly briefing")
    STANDING_COMMITTEE = "standing_committee", _("Standing committee meeting")
    OTHER = "other", _("Other meeting")


class Conclusion(models.Model):
    """A meeting of the unit's standing committee and the chair's conclusion: "Chiều 7/7,
    Thường trực Tỉnh ủy giao ban quý II … kết luận" (seed 004). A quarterly briefing names
    its year and quarter; a task due "next quarter" is due at the end of the quarter after
    it (or after the meeting's quarter for another meeting)."""

    unit = models.ForeignKey("committees.Unit", verbose_name=_("unit"), related_name="conclusions",
                             on_delete=models.PROTECT)
    kind = models.CharField(_("meeting"), max_length=24, choices=MeetingKind.choices, default=MeetingKind.BRIEFING)
    held_on = models.DateField(_("held on"))
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    quarter = models.PositiveSmallIntegerField(_("quarter"), null=True, blank=True,
                                               choices=[(q, str(q)) for q in range(1, 5)])
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("chair (portal user)"), related_name="+",
                              on_delete=models.SET_NULL, null=True, blank=True,
                              help_text=_("Overdue tasks are escalated to the chair once."))
    chair_name = models.CharField(_("chair"), max_length=255, blank=True,
                                  help_text=_("e.g. đồng chí Lê Quang Huy, Phó Bí thư Tỉnh ủy"))
    text = models.TextField(_("conclusion"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), related_name="+",
                                   on_delete=models.SET_NULL, null=True, blank=True)
    history = HistoricalRecords()
    objects = ConclusionQuerySet.as_manager()

    class Meta:
        verbose_name = _("conclusion")
        verbose_name_plural = _("conclusions")
        ordering = ["unit", "-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quarter__isnull=True) | Q(quarter__gte=1, quarter__lte=4),
                                   name="conclusion_quarter_valid"),
            models.CheckConstraint(condition=Q(year__isnull=True, quarter__isnull=True)
                                   | Q(year__isnull=False, quarter__isnull=False),
                                   name="conclusion_year_and_quarter_together"),
        ]
        indexes = [models.Index(fields=["unit", "held_on"], name="conclusion_unit_held_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%d/%m/%Y})"

    @property
    def title(self) -> str:
        if self.kind == MeetingKind.BRIEFING and self.quarter:
            return str(_("Quarterly briefing, quarter %(q)s/%(y)s") % {"q": self.quarter, "y": self.year})
        return str(self.get_kind_display())

    @property
    def chair_label(self) -> str:
        return self.chair_name or (str(self.chair) if self.chair_id else "")

    def get_absolute_url(self) -> str:
        return reverse("conclusions:conclusion_detail", args=[self.pk])


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class TaskState(models.TextChoices):
    """What the briefing pack says of a task on a day: done; late (open, past its due
    date); carried over (open, moved to a later quarter at least once); open."""

    DONE = "done", _("Done")
    LATE = "late", _("Late")
    CARRIED_OVER = "carried_over", _("Carried over")
    OPEN = "open", _("Open")


class ConcernKind(models.TextChoices):
    """What a task is about. Petitions are a count of a unit's petitions: a task never
    links to a petition's content (DOMAIN.md "Petition": the sender is confidential)."""

    NONE = "", _("Nothing in particular")
    UNIT = "unit", _("A unit")
    CONGRESS = "congress", _("The unit's congress")
    DOCUMENT = "document", _("A guiding document")
    PETITIONS = "petitions", _("The unit's petitions (count)")


def evidence_upload_to(instance, filename: str) -> str:
    task = instance if isinstance(instance, Task) else instance.task
    return f"conclusions/{task.conclusion.unit_id}/{task.pk}/{filename}"


class Task(models.Model):
    """One task of a conclusion, for exactly one responsible party: a body of the unit, a
    subordinate unit, or a subcommittee of the unit's congress (seed 004: "các tiểu ban
    phục vụ Đại hội Đảng bộ tỉnh")."""

    conclusion = models.ForeignKey(Conclusion, verbose_name=_("conclusion"), related_name="tasks",
                                   on_delete=models.CASCADE)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    body = models.ForeignKey(Body, verbose_name=_("body"), related_name="tasks", on_delete=models.PROTECT,
                             null=True, blank=True)
    unit = models.ForeignKey("committees.Unit", verbose_name=_("subordinate unit"), related_name="given_tasks",
                             on_delete=models.PROTECT, null=True, blank=True)
    subcommittee = models.ForeignKey("congresses.Subcommittee", verbose_name=_("subcommittee"),
                                     related_name="conclusion_tasks", on_delete=models.PROTECT,
                                     null=True, blank=True)
    what = models.TextField(_("what is to be done"))
    due_date = models.DateField(_("due date"))
    concerns = models.CharField(_("concerns"), max_length=16, choices=ConcernKind.choices, blank=True, default="")
    concerns_unit = models.ForeignKey("committees.Unit", verbose_name=_("unit concerned"), related_name="+",
                                      on_delete=models.PROTECT, null=True, blank=True)
    concerns_congress = models.ForeignKey("congresses.Congress", verbose_name=_("congress concerned"),
                                          related_name="+", on_delete=models.PROTECT, null=True, blank=True)
    concerns_document = models.ForeignKey("documents.Document", verbose_name=_("document concerned"),
                                          related_name="+", on_delete=models.PROTECT, null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_text = models.TextField(_("what was done"), blank=True)
    done_evidence = models.FileField(_("evidence"), upload_to=evidence_upload_to, max_length=255, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), related_name="+",
                                on_delete=models.SET_NULL, null=True, blank=True)
    carried_over = models.PositiveSmallIntegerField(_("times carried over"), default=0)
    history = HistoricalRecords()
    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["conclusion", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(body__isnull=False, unit__isnull=True, subcommittee__isnull=True)
                           | Q(body__isnull=True, unit__isnull=False, subcommittee__isnull=True)
                           | Q(body__isnull=True, unit__isnull=True, subcommittee__isnull=False)),
                name="task_one_responsible",
                violation_error_message=_("Give the task to one body, one subordinate unit or one subcommittee."),
            ),
            models.CheckConstraint(condition=~Q(status="done") | Q(done_on__isnull=False), name="task_done_has_date"),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="task_status_due_idx")]

    def __str__(self) -> str:
        return self.what[:80]

    def get_absolute_url(self) -> str:
        return reverse("conclusions:task_detail", args=[self.pk])

    @property
    def responsible(self):
        return self.body or self.unit or self.subcommittee

    @property
    def responsible_label(self) -> str:
        if self.subcommittee_id:
            return str(_("Subcommittee: %(name)s") % {"name": self.subcommittee.title})
        return str(self.responsible)

    def state_on(self, day: dt.date) -> str:
        if self.status == TaskStatus.DONE:
            return TaskState.DONE
        if self.due_date < day:
            return TaskState.LATE
        if self.carried_over:
            return TaskState.CARRIED_OVER
        return TaskState.OPEN


class TaskReport(models.Model):
    """A progress report on a task, by a member of the responsible body (or a keeper of the
    responsible unit), with an optional evidence file served through a scoped view."""

    task = models.ForeignKey(Task, verbose_name=_("task"), related_name="reports", on_delete=models.CASCADE)
    text = models.TextField(_("report"))
    evidence = models.FileField(_("evidence"), upload_to=evidence_upload_to, max_length=255, blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by"), related_name="+",
                                   on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["task", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class TaskDueChange(models.Model):
    """A task's due date moved, with the reason: "carried over to the next quarter". The
    task page shows them all; the task's history is never rewritten."""

    task = models.ForeignKey(Task, verbose_name=_("task"), related_name="due_changes", on_delete=models.CASCADE)
    from_date = models.DateField(_("was due"))
    to_date = models.DateField(_("now due"))
    reason = models.TextField(_("reason"))
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"), related_name="+",
                                   on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("due date change")
        verbose_name_plural = _("due date changes")
        ordering = ["task", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_date:%d/%m/%Y} → {self.to_date:%d/%m/%Y}"
