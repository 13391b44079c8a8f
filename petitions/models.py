"""Petitions (DOMAIN.md "Petition": đơn thư khiếu nại, tố cáo, kiến nghị, phản ánh): letters
of complaint, denunciation, proposal or reflection about a unit, often about its congress
personnel, which must be resolved before the congress.

A case (`Petition`) holds what the handlers work on and what the portal counts: kind,
channel, dates, the unit and nominee it concerns, the state of the workflow and its due
date. Who sent it (`PetitionSender`) is kept apart, one row per named petition, encrypted
at rest (personnel.fields, FIELD_ENCRYPTION_KEYS) and without history: it is shown on the
case page to its handlers and to nobody else, never in a list, an export, the JSON, an
email, a log line or a repr. Who may open a case is decided by accounts.access
(`Scope.petitions_q`, `can_handle_petition`).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from personnel.fields import EncryptedTextField

from .querysets import PetitionQuerySet


class PetitionKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")          # khiếu nại
    DENUNCIATION = "denunciation", _("Denunciation")  # tố cáo
    PROPOSAL = "proposal", _("Proposal")             # kiến nghị
    REFLECTION = "reflection", _("Reflection")       # phản ánh


class PetitionChannel(models.TextChoices):
    POST = "post", _("By post")
    IN_PERSON = "in_person", _("Handed in person")
    EMAIL = "email", _("By email")
    PHONE = "phone", _("By telephone / hotline")
    FORWARDED = "forwarded", _("Forwarded by another body")
    MAILBOX = "mailbox", _("Petition box at the congress")


class PetitionStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted for handling")
    TRANSFERRED = "transferred", _("Transferred")
    FILED = "filed", _("Kept for reference")
    VERIFYING = "verifying", _("Verifying")
    CONCLUDED = "concluded", _("Concluded")
    CLOSED = "closed", _("Answered and closed")


# Open: not resolved yet. What the counts, the light, the approval blocker, the due date
# and the reminders follow. A concluded case waits only for its answer: it is resolved.
OPEN_STATUSES = (PetitionStatus.RECEIVED, PetitionStatus.ACCEPTED, PetitionStatus.VERIFYING)

# The steps allowed from each state (petitions.services checks them; the case page offers them).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    PetitionStatus.RECEIVED: (PetitionStatus.ACCEPTED, PetitionStatus.TRANSFERRED, PetitionStatus.FILED),
    PetitionStatus.ACCEPTED: (PetitionStatus.VERIFYING,),
    PetitionStatus.VERIFYING: (PetitionStatus.CONCLUDED,),
    PetitionStatus.CONCLUDED: (PetitionStatus.CLOSED,),
    PetitionStatus.TRANSFERRED: (),
    PetitionStatus.FILED: (),
    PetitionStatus.CLOSED: (),
}

# The legal periods, in calendar days, before an admin changes them (Luật Khiếu nại 2011:
# accept within 10 days, resolve within 30; Luật Tố cáo 2018: accept within 7, resolve
# within 30; proposals and reflections: Luật Tiếp công dân, 10 and 15).
DEFAULT_DEADLINES = {
    PetitionKind.COMPLAINT: (10, 30),
    PetitionKind.DENUNCIATION: (7, 30),
    PetitionKind.PROPOSAL: (10, 15),
    PetitionKind.REFLECTION: (10, 15),
}
DAYS = [MinValueValidator(1), MaxValueValidator(365)]


class DeadlineRule(models.Model):
    """How long a kind of petition may take: days from receipt to its classification
    (accepted, transferred, filed), and days from acceptance to the conclusion. Edited by
    administrators (the "deadlines" page); a change applies to the next step of each case."""

    kind = models.CharField(_("kind"), max_length=16, choices=PetitionKind.choices, unique=True)
    days_to_classify = models.PositiveSmallIntegerField(_("days to classify"), validators=DAYS)
    days_to_resolve = models.PositiveSmallIntegerField(_("days to resolve"), validators=DAYS)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"), related_name="+",
                                   on_delete=models.SET_NULL, null=True, blank=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("petition deadline")
        verbose_name_plural = _("petition deadlines")
        ordering = ["kind"]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class Petition(models.Model):
    """A case: one letter (or visit, or call) about a unit, from receipt to the answer."""

    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("channel"), max_length=16, choices=PetitionChannel.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=PetitionKind.choices)
    unit = models.ForeignKey("committees.Unit", verbose_name=_("concerned unit"), related_name="petitions",
                             on_delete=models.PROTECT)
    nominee = models.ForeignKey(
        "personnel.Nominee", verbose_name=_("nominee concerned"), related_name="petitions",
        on_delete=models.SET_NULL, null=True, blank=True,
        help_text=_("When the petition is about a person proposed in the unit's personnel plan."))
    about_personnel = models.BooleanField(
        _("about congress personnel"), default=False,
        help_text=_("The petition concerns the personnel of the unit's congress: while it is open, the congress is "
                    "at risk and the personnel plan cannot be approved."))
    summary = models.TextField(_("summary"), max_length=4000)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=PetitionStatus.choices,
                              default=PetitionStatus.RECEIVED)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned handler"), related_name="+",
                                on_delete=models.PROTECT, null=True, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    classified_on = models.DateField(_("classified on"), null=True, blank=True)
    transferred_to = models.CharField(_("transferred to"), max_length=250, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    conclusion_file = models.FileField(_("conclusion file"), upload_to="petitions/conclusions/%Y/", blank=True)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    closed_on = models.DateField(_("answered and closed on"), null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registered by"), related_name="+",
                                      on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    # The sender is another table without history; the case's history has no sender.
    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-received_on", "-pk"]
        indexes = [
            # Counts per unit of open cases by due date (the dashboard's own figures, the
            # light's subquery, the reminder scan).
            models.Index(fields=["unit", "status", "due_on"], name="petition_unit_status_due_idx"),
            models.Index(fields=["status", "due_on"], name="petition_status_due_idx"),
        ]

    def __str__(self) -> str:
        # Never the sender, never the summary: a case's str reaches logs and admin messages.
        return _("Petition #%(n)s") % {"n": self.pk or "—"}

    def get_absolute_url(self) -> str:
        return reverse("petitions:case_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_personnel(self) -> bool:
        return self.about_personnel or self.nominee_id is not None

    def days_left(self, today: dt.date) -> int | None:
        """Days to the due date while the case is open: negative once it is overdue."""
        if not self.is_open or self.due_on is None:
            return None
        return (self.due_on - today).days

    def is_overdue(self, today: dt.date) -> bool:
        left = self.days_left(today)
        return left is not None and left < 0

    @property
    def next_statuses(self) -> tuple[str, ...]:
        return TRANSITIONS[self.status]


class PetitionSender(models.Model):
    """Who sent a named petition: confidential to the case's handlers. Encrypted at rest,
    no history, no admin, never in a list, export, JSON, email or log."""

    petition = models.OneToOneField(Petition, verbose_name=_("petition"), related_name="sender",
                                    on_delete=models.CASCADE, primary_key=True)
    full_name = EncryptedTextField(_("sender's name"), max_length=200)
    contact = EncryptedTextField(_("sender's telephone or email"), max_length=200, blank=True)
    address = EncryptedTextField(_("sender's address"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("petition sender")
        verbose_name_plural = _("petition senders")

    def __str__(self) -> str:
        return _("Sender of petition #%(n)s") % {"n": self.petition_id or "—"}

    def __repr__(self) -> str:
        return f"<PetitionSender of petition {self.petition_id}>"


def _attachment_path(instance, filename: str) -> str:
    # A random name on disk: the uploaded name may carry the sender's name.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"petitions/{dt.date.today():%Y}/{uuid.uuid4().hex}.{ext}"


class PetitionAttachment(models.Model):
    """A file of the case (the letter, its enclosures), served only to its handlers."""

    petition = models.ForeignKey(Petition, verbose_name=_("petition"), related_name="attachments",
                                 on_delete=models.CASCADE)
    file = models.FileField(_("file"), upload_to=_attachment_path)
    name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), related_name="+",
                                    on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("petition attachment")
        verbose_name_plural = _("petition attachments")
        ordering = ["petition", "pk"]

    def __str__(self) -> str:
        return _("Attachment #%(n)s") % {"n": self.pk or "—"}


class StepAction(models.TextChoices):
    REGISTER = "register", _("Registered")
    ASSIGN = "assign", _("Assigned")
    ACCEPT = "accept", _("Accepted for handling")
    TRANSFER = "transfer", _("Transferred")
    FILE = "file", _("Kept for reference")
    VERIFY = "verify", _("Verification started")
    CONCLUDE = "conclude", _("Concluded")
    CLOSE = "close", _("Answered and closed")
    EXTEND = "extend", _("Deadline extended")


class PetitionStep(models.Model):
    """One step of a case: who did what, when, from which state to which, with the note
    (the recipient of a transfer, the reason of an extension). Never the sender."""

    petition = models.ForeignKey(Petition, verbose_name=_("petition"), related_name="steps",
                                 on_delete=models.CASCADE)
    action = models.CharField(_("action"), max_length=16, choices=StepAction.choices)
    from_status = models.CharField(_("from"), max_length=16, choices=PetitionStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=PetitionStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), related_name="+",
                              on_delete=models.PROTECT)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)
    due_on = models.DateField(_("due date after the step"), null=True, blank=True)

    class Meta:
        verbose_name = _("petition step")
        verbose_name_plural = _("petition steps")
        ordering = ["petition", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.petition_id}"


class PetitionExtension(models.Model):
    """An extension of a case's deadline, with its reason (Luật Tố cáo: once, by up to 30
    days; the portal records each one)."""

    petition = models.ForeignKey(Petition, verbose_name=_("petition"), related_name="extensions",
                                 on_delete=models.CASCADE)
    days = models.PositiveSmallIntegerField(_("days added"), validators=[MinValueValidator(1),
                                                                         MaxValueValidator(60)])
    reason = models.TextField(_("reason"))
    old_due_on = models.DateField(_("due date before"))
    new_due_on = models.DateField(_("due date after"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), related_name="+",
                           on_delete=models.PROTECT)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["petition", "at", "pk"]

    def __str__(self) -> str:
        return f"+{self.days} #{self.petition_id}"


class PetitionCount(models.Model):
    """Open petitions about the units strictly below `unit`, by due date (progress.registry:
    petitions.progress): open, and about personnel. Overdue is read as the open ones due
    before today. Counts only, never a case."""

    unit = models.ForeignKey("committees.Unit", verbose_name=_("unit"), related_name="+", on_delete=models.CASCADE)
    due_on = models.DateField(_("due date"))
    open = models.IntegerField(_("open"), default=0)
    personnel = models.IntegerField(_("about personnel"), default=0)

    class Meta:
        verbose_name = _("petition count")
        verbose_name_plural = _("petition counts")
        constraints = [models.UniqueConstraint(fields=["unit", "due_on"], name="petitioncount_uniq")]
