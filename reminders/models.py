"""Deadline reminders: the policy admins edit, what each user chose to receive, and one row
per message the portal sends (a `Delivery`), with the milestones it lists (`DeliveryItem`).

Reminders are never scheduled ahead: every day beat runs a scan that finds what is due that
day (reminders.scan) and writes the deliveries; a milestone that is done, or whose due date
moved, simply no longer matches the next scan.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

DEFAULT_DAYS_BEFORE = [7, 3, 1]
MAX_DAYS_BEFORE = 60


def default_days_before() -> list[int]:
    return list(DEFAULT_DAYS_BEFORE)


class Weekday(models.IntegerChoices):
    # Python's date.weekday(): Monday is 0.
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class ReminderPolicy(models.Model):
    """When the portal reminds whom. There is one row (pk 1), edited in the admin; the
    scan reads it each time it runs, so a change applies from the next scan.

    Escalation happens once, on the day a milestone has been overdue for exactly
    `escalate_after_days` days: the superior unit's secretaries get it that morning and
    not again every day after (users asked for one clear signal, not a daily nag; the
    weekly digest keeps listing the unit as long as it stays overdue).
    """

    SINGLETON_PK = 1

    due_soon_enabled = models.BooleanField(_("remind before the due date"), default=True)
    days_before = models.JSONField(
        _("days before the due date"), default=default_days_before,
        help_text=_("Remind the unit's secretary this many days before a milestone is due, e.g. 7, 3, 1."),
    )
    overdue_enabled = models.BooleanField(
        _("remind on the first overdue day"), default=True,
        help_text=_("Remind the unit's secretary again the day after the due date."),
    )
    escalation_enabled = models.BooleanField(_("escalate to the superior unit"), default=True)
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate after (overdue days)"), default=3,
        help_text=_("Once, on the day a milestone has been overdue this many days, tell the "
                    "secretaries of the superior unit."),
    )
    weekly_digest_enabled = models.BooleanField(_("weekly digest to provincial viewers"), default=True)
    weekly_digest_weekday = models.PositiveSmallIntegerField(
        _("weekly digest on"), choices=Weekday.choices, default=Weekday.MONDAY,
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), related_name="+",
        on_delete=models.SET_NULL, null=True, blank=True,
    )

    class Meta:
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policy")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="reminderpolicy_single_row"),
            models.CheckConstraint(condition=Q(escalate_after_days__gte=1), name="reminderpolicy_escalate_after_positive"),
            models.CheckConstraint(condition=Q(weekly_digest_weekday__lte=6), name="reminderpolicy_weekday_valid"),
        ]

    def __str__(self) -> str:
        return str(_("Reminder policy"))

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_PK
        super().save(*args, **kwargs)

    def clean(self) -> None:
        days = self.days_before
        if not isinstance(days, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in days):
            raise ValidationError({"days_before": _("Give whole numbers of days, e.g. 7, 3, 1.")})
        if any(d < 1 or d > MAX_DAYS_BEFORE for d in days):
            raise ValidationError({"days_before": _("Each number of days must be between 1 and %(max)d.") % {"max": MAX_DAYS_BEFORE}})
        self.days_before = sorted(set(days), reverse=True)

    def due_soon_dates(self, day: dt.date) -> list[dt.date]:
        """The due dates that get a "due soon" reminder on `day`."""
        if not self.due_soon_enabled:
            return []
        return [day + dt.timedelta(days=n) for n in sorted(set(self.days_before or []))]

    def overdue_date(self, day: dt.date) -> dt.date | None:
        """The due date whose milestones are on their first overdue day on `day`."""
        return day - dt.timedelta(days=1) if self.overdue_enabled else None

    def escalation_date(self, day: dt.date) -> dt.date | None:
        """The due date whose milestones are overdue for exactly N days on `day`."""
        return day - dt.timedelta(days=self.escalate_after_days) if self.escalation_enabled else None

    def is_digest_day(self, day: dt.date) -> bool:
        return self.weekly_digest_enabled and day.weekday() == self.weekly_digest_weekday


class Reason(models.TextChoices):
    """Why a milestone is in a message."""

    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue since yesterday")
    ESCALATION = "escalation", _("Escalation: overdue in a subordinate unit")
    WEEKLY_DIGEST = "weekly_digest", _("Weekly digest: overdue units")
    COMMENT_REQUEST = "comment_request", _("Comments requested on a congress document")
    # Petitions (petitions app): a case assigned to the recipient, before and after its due date.
    PETITION_DUE = "petition_due", _("Petition due soon")
    PETITION_OVERDUE = "petition_overdue", _("Petition past its due date")
    # Tasks of a standing committee's conclusion (conclusions app): on the first overdue
    # day to whoever answers the task, and once, some days later, to the meeting's chair.
    TASK_OVERDUE = "task_overdue", _("A task of a conclusion is overdue")
    TASK_ESCALATION = "task_escalation", _("Escalation: a task of your conclusion is overdue")
    # A unit's quarterly report not submitted yet (briefings app): the line's due date is
    # the quarter's due date, its unit the unit that files it.
    QUARTERLY_REPORT = "quarterly_report", _("Quarterly report due")


# Reasons a user may turn off; escalations always reach them.
OPTIONAL_REASONS = (Reason.DUE_SOON, Reason.OVERDUE, Reason.WEEKLY_DIGEST)


class NotificationPreference(models.Model):
    """What a user chose to receive. A user without a row receives everything; an
    escalation reaches them on every channel whatever they chose."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), related_name="notification_preference",
        on_delete=models.CASCADE, primary_key=True,
    )
    email_enabled = models.BooleanField(_("by email"), default=True)
    inapp_enabled = models.BooleanField(_("in the portal"), default=True)
    due_soon = models.BooleanField(_("milestones due soon"), default=True)
    overdue = models.BooleanField(_("milestones on their first overdue day"), default=True)
    weekly_digest = models.BooleanField(_("weekly digest of overdue units"), default=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    INAPP = "inapp", _("In the portal")


class Kind(models.TextChoices):
    DAILY = "daily", _("Daily reminder")
    WEEKLY = "weekly", _("Weekly digest")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped: nothing left to remind")


class ReminderRun(models.Model):
    """One run of the scan (by beat, by a task or by `manage.py send_reminders`): what it
    found and how long it took."""

    kind = models.CharField(_("type of message"), max_length=8, choices=Kind.choices)
    day = models.DateField(_("day"))
    source = models.CharField(_("started by"), max_length=32, blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    deliveries_created = models.PositiveIntegerField(_("messages created"), default=0)
    items_created = models.PositiveIntegerField(_("items created"), default=0)

    class Meta:
        verbose_name = _("reminder run")
        verbose_name_plural = _("reminder runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.day:%d/%m/%Y}"


class Delivery(models.Model):
    """One message to one user on one channel: the day's reminder digest or the weekly
    digest. The unique key (recipient, channel, kind, day) is the idempotency key: a scan
    that runs twice, or a task delivered twice, cannot make a second message.

    An email row is written `pending` by the scan, before anything is sent, and turns
    `sent` in the same transaction as the SMTP send (reminders.services.deliveries_send);
    a failed send turns it `failed` with the error, and it is retried. An in-app row is
    the notification itself: it is written `sent`, and `read_at` records when its reader
    marked it read.
    """

    run = models.ForeignKey(
        ReminderRun, verbose_name=_("run"), related_name="deliveries", on_delete=models.SET_NULL,
        null=True, blank=True,
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), related_name="deliveries",
        on_delete=models.CASCADE,
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    kind = models.CharField(_("type of message"), max_length=8, choices=Kind.choices)
    day = models.DateField(_("day"))
    state = models.CharField(_("state"), max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True, default="")
    enqueued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"), null=True, blank=True,
        help_text=_("When a failed send is retried; empty when no retry is planned."),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-day", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "channel", "kind", "day"], name="delivery_once_per_day"),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False), name="delivery_sent_has_time"
            ),
        ]
        indexes = [
            # The notification centre: a user's in-app rows, newest first, and the unread count.
            models.Index(fields=["recipient", "channel", "state", "read_at"], name="delivery_inbox_idx"),
            # The sweep and the admin: rows by state.
            models.Index(fields=["state", "channel"], name="delivery_state_idx"),
            models.Index(fields=["run", "state"], name="delivery_run_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.day:%d/%m/%Y} → {self.recipient} ({self.get_channel_display()})"

    @property
    def is_unread(self) -> bool:
        return self.channel == Channel.INAPP and self.state == DeliveryState.SENT and self.read_at is None


class DeliveryItem(models.Model):
    """One line of a message: a milestone and why it is there (due soon, overdue,
    escalated), or, in the weekly digest, a unit with its overdue milestones. The due date
    is the one the scan saw: if the milestone's date has moved since, the line is no
    longer true and is left out of the message."""

    delivery = models.ForeignKey(Delivery, verbose_name=_("delivery"), related_name="items", on_delete=models.CASCADE)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    milestone = models.ForeignKey(
        "congresses.Milestone", verbose_name=_("milestone"), related_name="+", on_delete=models.CASCADE,
        null=True, blank=True,
    )
    unit = models.ForeignKey("committees.Unit", verbose_name=_("unit"), related_name="+", on_delete=models.CASCADE)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    overdue_count = models.PositiveIntegerField(_("overdue milestones"), default=1)
    # A comment request of a congress document not answered yet (documents app): the
    # line's due date is the round's deadline.
    comment_request = models.ForeignKey(
        "documents.CommentRecipient", verbose_name=_("comment request"), related_name="+",
        on_delete=models.CASCADE, null=True, blank=True,
    )
    # A task of a conclusion (conclusions app), overdue: the line's due date is the task's.
    task = models.ForeignKey(
        "conclusions.Task", verbose_name=_("task"), related_name="+", on_delete=models.CASCADE,
        null=True, blank=True,
    )

    # A petition case assigned to the recipient (petitions app): the line names the case by
    # number, kind and unit, never its sender.
    petition = models.ForeignKey(
        "petitions.Petition", verbose_name=_("petition"), related_name="+", on_delete=models.CASCADE,
        null=True, blank=True,
    )

    class Meta:
        verbose_name = _("delivery item")
        verbose_name_plural = _("delivery items")
        ordering = ["delivery", "reason", "due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "milestone", "reason"], condition=Q(milestone__isnull=False),
                name="deliveryitem_milestone_once",
            ),
            models.UniqueConstraint(
                fields=["delivery", "unit", "reason"],
                condition=Q(milestone__isnull=True, comment_request__isnull=True, petition__isnull=True,
                            task__isnull=True),
                name="deliveryitem_unit_once",
            ),
            models.UniqueConstraint(
                fields=["delivery", "comment_request", "reason"], condition=Q(comment_request__isnull=False),
                name="deliveryitem_comment_once",
            ),
            models.UniqueConstraint(
                fields=["delivery", "petition", "reason"], condition=Q(petition__isnull=False),
                name="deliveryitem_petition_once",
            ),
            models.UniqueConstraint(
                fields=["delivery", "task", "reason"], condition=Q(task__isnull=False),
                name="deliveryitem_task_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.milestone or self.comment_request or self.petition or self.task or self.unit}"

    def days_from(self, day: dt.date) -> int | None:
        """Days from `day` to the due date: positive before it, negative after."""
        return None if self.due_date is None else (self.due_date - day).days
