"""The quarterly briefing (giao ban, DOMAIN.md "Briefing"): each unit's quarterly report
to its superior, with its difficulties (khó khăn, vướng mắc) and proposals (kiến nghị, đề
xuất); the superior's answer to each proposal; and the quarter-end snapshots of the
roll-up numbers that the briefing pack reads for a past quarter."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .quarters import Quarter


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Theme(models.TextChoices):
    """What a difficulty or a proposal is about: the pack groups them so."""

    PERSONNEL = "personnel", _("Personnel")
    DOCUMENTS = "documents", _("Congress documents")
    ORGANISATION = "organisation", _("Organisation of the congress")
    FACILITIES = "facilities", _("Facilities and finance")
    PROPAGANDA = "propaganda", _("Propaganda")
    OTHER = "other", _("Other")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Awaiting an answer")
    ANSWERED = "answered", _("Answered")
    FORWARDED = "forwarded", _("Forwarded")
    REJECTED = "rejected", _("Not accepted")


class QuarterlyReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuarterlyReportQuerySet:
        """Reports of the units the user reads (a briefing is not confidential: whoever
        reads a unit's dashboard reads its reports)."""
        return self.filter(user.scope.read_q("unit__path"))

    def under(self, unit, *, include_self: bool = False) -> QuarterlyReportQuerySet:
        q = Q(unit__path__startswith=unit.path)
        return self.filter(q) if include_self else self.filter(q).exclude(unit=unit)

    def of(self, quarter: Quarter) -> QuarterlyReportQuerySet:
        return self.filter(year=quarter.year, quarter=quarter.quarter)


class QuarterlyReport(models.Model):
    """A unit's report for one quarter to its superior (báo cáo quý). Its progress section
    is computed from the unit's milestones, documents and subtree (briefings.selectors)
    while it is a draft, and kept as it was on submission in `progress`."""

    unit = models.ForeignKey("committees.Unit", verbose_name=_("unit"), related_name="quarterly_reports",
                             on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    status = models.CharField(_("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    summary = models.TextField(_("summary of the quarter"), blank=True,
                               help_text=_("In the unit's own words: what was done this quarter."))
    progress = models.JSONField(_("progress at submission"), default=dict, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), related_name="+",
                                     on_delete=models.SET_NULL, null=True, blank=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopen_reason = models.CharField(_("reason for reopening"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), related_name="+",
                                   on_delete=models.SET_NULL, null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "progress"])

    objects = QuarterlyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("quarterly report")
        verbose_name_plural = _("quarterly reports")
        ordering = ["-year", "-quarter", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "quarter"], name="quarterlyreport_once_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="quarterlyreport_quarter_valid"),
            models.CheckConstraint(condition=~Q(status="submitted") | Q(submitted_at__isnull=False),
                                   name="quarterlyreport_submitted_has_time"),
        ]
        indexes = [models.Index(fields=["year", "quarter", "status"], name="quarterlyreport_quarter_idx")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("briefings:report_detail", args=[self.pk])

    @property
    def period(self) -> Quarter:
        return Quarter(self.year, self.quarter)

    @property
    def is_submitted(self) -> bool:
        return self.status == ReportStatus.SUBMITTED


class Difficulty(models.Model):
    """A difficulty or obstacle (khó khăn, vướng mắc) a unit reports in a quarter."""

    report = models.ForeignKey(QuarterlyReport, verbose_name=_("report"), related_name="difficulties",
                               on_delete=models.CASCADE)
    theme = models.CharField(_("theme"), max_length=16, choices=Theme.choices)
    text = models.TextField(_("difficulty"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("difficulty")
        verbose_name_plural = _("difficulties")
        ordering = ["report", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class ProposalQuerySet(models.QuerySet):
    def visible_to(self, user) -> ProposalQuerySet:
        return self.filter(user.scope.read_q("report__unit__path"))

    def answerable_by(self, user) -> ProposalQuerySet:
        """Proposals of submitted reports of the units directly under the user's units:
        the superior answers them (accounts.access.Scope.answers_reports_q)."""
        return self.filter(user.scope.answers_reports_q("report__unit"), report__status=ReportStatus.SUBMITTED)

    def open(self) -> ProposalQuerySet:
        return self.filter(status=ProposalStatus.OPEN, report__status=ReportStatus.SUBMITTED)


class Proposal(models.Model):
    """A proposal or request (kiến nghị, đề xuất) of a unit to its superior, one per row,
    and the superior's answer to it (tháo gỡ): answered, forwarded to whoever can act, or
    not accepted with the reason."""

    report = models.ForeignKey(QuarterlyReport, verbose_name=_("report"), related_name="proposals",
                               on_delete=models.CASCADE)
    theme = models.CharField(_("theme"), max_length=16, choices=Theme.choices)
    text = models.TextField(_("proposal"))
    status = models.CharField(_("status"), max_length=16, choices=ProposalStatus.choices,
                              default=ProposalStatus.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    forwarded_to = models.CharField(_("forwarded to"), max_length=255, blank=True,
                                    help_text=_("The board, office or unit that will act on it."))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), related_name="+",
                                    on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["report", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status="open") | Q(answered_at__isnull=False),
                                   name="proposal_answer_has_time"),
            models.CheckConstraint(condition=~Q(status="forwarded") | ~Q(forwarded_to=""),
                                   name="proposal_forwarded_has_recipient"),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(answer=""),
                                   name="proposal_rejected_has_reason"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="proposal_open_age_idx")]

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return reverse("briefings:proposal_answer", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == ProposalStatus.OPEN


class QuarterSnapshot(models.Model):
    """The roll-up numbers taken once a quarter is over (briefings.snapshots): the briefing
    pack of a past quarter reads them, so its numbers are the quarter's, not today's."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    taken_at = models.DateTimeField(_("taken at"))
    rows = models.PositiveIntegerField(_("rows"), default=0)

    class Meta:
        verbose_name = _("quarter-end snapshot")
        verbose_name_plural = _("quarter-end snapshots")
        ordering = ["-year", "-quarter"]
        constraints = [models.UniqueConstraint(fields=["year", "quarter"], name="quartersnapshot_once")]

    def __str__(self) -> str:
        return str(self.period)

    @property
    def period(self) -> Quarter:
        return Quarter(self.year, self.quarter)


class SnapshotRow(models.Model):
    """One roll-up row (progress.registry) as it was at the end of a quarter: the counter's
    name, its keys as text and its values in order. Counters keyed by a date are summed
    over the dates up to the quarter's end and lose that key (briefings.snapshots)."""

    snapshot = models.ForeignKey(QuarterSnapshot, verbose_name=_("snapshot"), related_name="+",
                                 on_delete=models.CASCADE)
    counter = models.CharField(_("counter"), max_length=40)
    unit = models.ForeignKey("committees.Unit", verbose_name=_("unit"), related_name="+", on_delete=models.CASCADE)
    key1 = models.CharField(max_length=40, blank=True, default="")
    key2 = models.CharField(max_length=40, blank=True, default="")
    key3 = models.CharField(max_length=40, blank=True, default="")
    value1 = models.IntegerField(default=0)
    value2 = models.IntegerField(default=0)
    value3 = models.IntegerField(default=0)
    value4 = models.IntegerField(default=0)
    value5 = models.IntegerField(default=0)
    value6 = models.IntegerField(default=0)
    value7 = models.IntegerField(default=0)
    value8 = models.IntegerField(default=0)

    KEYS = ("key1", "key2", "key3")
    VALUES = ("value1", "value2", "value3", "value4", "value5", "value6", "value7", "value8")

    class Meta:
        verbose_name = _("snapshot row")
        indexes = [models.Index(fields=["snapshot", "unit", "counter"], name="snapshotrow_unit_idx")]
