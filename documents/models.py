"""Documents of the congress preparation: the guiding documents a term cites
(directives, plans, decisions), and each congress's own documents with their drafting
steps, versions, comment rounds and the superior's review (DOMAIN.md "Congress
documents")."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from progress.models import TermRollupRow

from .querysets import (
    CommentRecipientQuerySet,
    CommentRoundQuerySet,
    CongressDocumentQuerySet,
    DocumentVersionQuerySet,
)


class Document(models.Model):
    """A numbered party document, e.g. Chỉ thị 35-CT/TW (30/5/2019) of the Politburo or the
    province's Kế hoạch 100-KH/TU. Terms cite them as their guiding documents."""

    number = models.CharField(_("number"), max_length=64, help_text=_("e.g. 35-CT/TW"))
    issued_on = models.DateField(_("date issued"))
    title = models.CharField(_("title"), max_length=500)
    issuer = models.CharField(_("issued by"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["issued_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["number", "issued_on"], name="document_number_date_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.issued_on:%d/%m/%Y})"


# ---------------------------------------------------------------------------------------
# Congress documents (DOMAIN.md "Congress documents", issue 12): each unit's political
# report, review report, personnel proposal, programme and script, draft resolution and
# whatever else it adds, through the drafting steps of its term, with numbered versions,
# comment rounds and the superior's review.

class DocumentKind(models.TextChoices):
    POLITICAL_REPORT = "political_report", _("Political report")
    REVIEW_REPORT = "review_report", _("Executive committee's review report")
    PERSONNEL_PROPOSAL = "personnel_proposal", _("Personnel proposal")
    PROGRAMME = "programme", _("Programme and script")
    DRAFT_RESOLUTION = "draft_resolution", _("Draft resolution")
    OTHER = "other", _("Other document")


class StepEffect(models.TextChoices):
    MANUAL = "manual", _("Ticked by the unit")
    REVIEW = "review", _("Done when the superior approves")


class DraftingStep(models.Model):
    """One step of the drafting sequence of a term's congress documents (seed 001: "3/6
    bước biên tập văn kiện"). Each term has its own sequence, six steps by default
    (documents.services.drafting_steps_for)."""

    term = models.ForeignKey("congresses.Term", verbose_name=_("term"), related_name="drafting_steps",
                             on_delete=models.CASCADE)
    order = models.PositiveSmallIntegerField(_("order"))
    code = models.SlugField(_("code"), max_length=32)
    title = models.CharField(_("title"), max_length=255)
    effect = models.CharField(_("how it is done"), max_length=16, choices=StepEffect.choices,
                              default=StepEffect.MANUAL)

    class Meta:
        verbose_name = _("drafting step")
        verbose_name_plural = _("drafting steps")
        ordering = ["term", "order"]
        constraints = [
            models.UniqueConstraint(fields=["term", "code"], name="draftingstep_term_code_uniq"),
            models.UniqueConstraint(fields=["term", "order"], name="draftingstep_term_order_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class ReviewState(models.TextChoices):
    NONE = "", _("Not submitted")
    SUBMITTED = "submitted", _("Submitted to the superior")
    APPROVED = "approved", _("Approved by the superior")
    RETURNED = "returned", _("Returned with comments")


class CongressDocument(models.Model):
    """A document of a unit's congress, e.g. the political report of the bloc's 9th
    congress, with its versions and how far its drafting has come."""

    congress = models.ForeignKey("congresses.Congress", verbose_name=_("congress"), related_name="documents",
                                 on_delete=models.PROTECT)
    kind = models.CharField(_("kind"), max_length=32, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=500)
    review_state = models.CharField(_("superior's review"), max_length=16, choices=ReviewState.choices,
                                    default=ReviewState.NONE, blank=True)
    # Folded title and text of the latest version (core.text.fold): the SQLite search
    # reads it with LIKE, PostgreSQL's full-text search with to_tsvector.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), related_name="+",
                                   on_delete=models.SET_NULL, null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["search_text"])

    objects = CongressDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("congress document")
        verbose_name_plural = _("congress documents")
        ordering = ["congress", "kind", "pk"]
        constraints = [
            # One political report (…) per congress; a unit may add any number of others.
            models.UniqueConstraint(fields=["congress", "kind"], condition=~Q(kind="other"),
                                    name="congressdocument_one_per_kind"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:document_detail", args=[self.pk])


class DocumentStepDone(models.Model):
    """A drafting step a document has completed: when, by whom."""

    document = models.ForeignKey(CongressDocument, verbose_name=_("document"), related_name="steps_done",
                                 on_delete=models.CASCADE)
    step = models.ForeignKey(DraftingStep, verbose_name=_("step"), related_name="+", on_delete=models.PROTECT)
    done_on = models.DateField(_("done on"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"), related_name="+",
                                on_delete=models.SET_NULL, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("drafting step done")
        verbose_name_plural = _("drafting steps done")
        constraints = [models.UniqueConstraint(fields=["document", "step"], name="documentstepdone_uniq")]

    def __str__(self) -> str:
        return f"{self.document}: {self.step}"


def version_upload_to(instance: "DocumentVersion", filename: str) -> str:
    # Never the uploaded name in the path (the original is kept in `original_name`).
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"congress-documents/{instance.document_id}/v{instance.number}-{uuid.uuid4().hex[:12]}.{ext}"


def attachment_upload_to(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"congress-documents/comments/{uuid.uuid4().hex}.{ext}"


class DocumentVersion(models.Model):
    """One upload of a document: numbered 1, 2, 3…; a new upload never replaces an older
    one, so "what changed since the draft we commented on" can always be answered."""

    document = models.ForeignKey(CongressDocument, verbose_name=_("document"), related_name="versions",
                                 on_delete=models.PROTECT)
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=version_upload_to, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255)
    file_type = models.CharField(_("file type"), max_length=8)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    text = models.TextField(_("text"), blank=True, default="", editable=False,
                            help_text=_("The paragraphs of a .docx or .pdf, one a line, read at upload."))
    note = models.CharField(_("note"), max_length=500, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), related_name="+",
                                    on_delete=models.SET_NULL, null=True, blank=True)

    objects = DocumentVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="documentversion_number_uniq")]

    def __str__(self) -> str:
        return f"{self.document} — v{self.number}"

    @property
    def comparable(self) -> bool:
        return self.file_type in ("docx", "pdf")


class CommentRound(models.Model):
    """A version sent for comments (xin ý kiến) to chosen recipients with a deadline;
    closed with the synthesis of the comments (tổng hợp ý kiến)."""

    document = models.ForeignKey(CongressDocument, verbose_name=_("document"), related_name="comment_rounds",
                                 on_delete=models.PROTECT)
    version = models.ForeignKey(DocumentVersion, verbose_name=_("version sent"), related_name="comment_rounds",
                                on_delete=models.PROTECT)
    deadline = models.DateField(_("comments due by"))
    message = models.TextField(_("message to the recipients"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"), related_name="+",
                                on_delete=models.SET_NULL, null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), related_name="+",
                                  on_delete=models.SET_NULL, null=True, blank=True)
    synthesis_file = models.FileField(_("synthesis of the comments"), upload_to=attachment_upload_to,
                                      max_length=255, blank=True)
    synthesis_name = models.CharField(_("original file name"), max_length=255, blank=True)
    synthesis_note = models.TextField(_("synthesis"), blank=True)
    history = HistoricalRecords()

    objects = CommentRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment round")
        verbose_name_plural = _("comment rounds")
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.version} → {self.deadline:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("documents:round_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class RecipientKind(models.TextChoices):
    SUBORDINATE = "subordinate", _("Subordinate unit")
    SUPERIOR = "superior", _("Superior")
    PERSON = "person", _("Person")


class CommentRecipient(models.Model):
    """Who a comment round asks: a unit (answered by its secretary) or a named person;
    their answer (text and/or a file, or "no comment") and when it came."""

    round = models.ForeignKey(CommentRound, verbose_name=_("comment round"), related_name="recipients",
                              on_delete=models.CASCADE)
    kind = models.CharField(_("recipient"), max_length=16, choices=RecipientKind.choices)
    unit = models.ForeignKey("committees.Unit", verbose_name=_("unit"), related_name="comment_requests",
                             on_delete=models.PROTECT, null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), related_name="comment_requests",
                             on_delete=models.PROTECT, null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), related_name="+",
                                    on_delete=models.SET_NULL, null=True, blank=True)
    no_comment = models.BooleanField(_("no comment"), default=False)
    answer_text = models.TextField(_("comments"), blank=True)
    answer_file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=255, blank=True)
    answer_file_name = models.CharField(_("original file name"), max_length=255, blank=True)
    history = HistoricalRecords()

    objects = CommentRecipientQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment request")
        verbose_name_plural = _("comment requests")
        ordering = ["round", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], condition=Q(unit__isnull=False),
                                    name="commentrecipient_unit_once"),
            models.UniqueConstraint(fields=["round", "user"], condition=Q(user__isnull=False),
                                    name="commentrecipient_user_once"),
            models.CheckConstraint(condition=Q(unit__isnull=True) ^ Q(user__isnull=True),
                                   name="commentrecipient_unit_or_user"),
        ]

    def __str__(self) -> str:
        return str(self.unit or self.user)

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    def is_late(self, today) -> bool:
        return self.answered_at is None and self.round.deadline < today


class PublicComment(models.Model):
    """Comments of the public (ý kiến của nhân dân) gathered for a round: how many, from
    where (a meeting, the newspaper, the portal's mailbox)."""

    round = models.ForeignKey(CommentRound, verbose_name=_("comment round"), related_name="public_comments",
                              on_delete=models.CASCADE)
    count = models.PositiveIntegerField(_("number of comments"))
    source = models.CharField(_("source"), max_length=255)
    summary = models.TextField(_("summary"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), related_name="+",
                                    on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("public comments")
        verbose_name_plural = _("public comments")
        ordering = ["round", "pk"]

    def __str__(self) -> str:
        return f"{self.count} — {self.source}"


class ReviewDecision(models.TextChoices):
    PENDING = "pending", _("Awaiting the superior")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned with comments")


class DocumentReview(models.Model):
    """The final draft submitted to the superior (whoever edits the parent unit), who
    approves it (the review step is then done) or returns it with comments."""

    document = models.ForeignKey(CongressDocument, verbose_name=_("document"), related_name="reviews",
                                 on_delete=models.CASCADE)
    version = models.ForeignKey(DocumentVersion, verbose_name=_("version submitted"), related_name="+",
                                on_delete=models.PROTECT)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), related_name="+",
                                     on_delete=models.SET_NULL, null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=16, choices=ReviewDecision.choices,
                                default=ReviewDecision.PENDING)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), related_name="+",
                                   on_delete=models.SET_NULL, null=True, blank=True)
    comments = models.TextField(_("the superior's comments"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("superior's review")
        verbose_name_plural = _("superior's reviews")
        ordering = ["document", "-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.version}: {self.get_decision_display()}"


# --- Roll-ups (progress.registry; documents/progress.py declares the counters) ----------


class DocumentStepCount(TermRollupRow):
    """Congress documents of a kind below `unit` that have done `done` drafting steps:
    "political report: 3/6 at 57 of 60 units" is the sum over done ≥ 3."""

    kind = models.CharField(_("kind"), max_length=32, choices=DocumentKind.choices)
    done = models.PositiveSmallIntegerField(_("steps done"))
    documents = models.IntegerField(_("documents"), default=0)

    class Meta:
        verbose_name = _("documents by steps done")
        constraints = [models.UniqueConstraint(fields=["unit", "term", "kind", "done"],
                                               name="documentstepcount_uniq")]


class CommentRequestCount(TermRollupRow):
    """Comment requests addressed to units below `unit`, and how many were answered
    ("answered: 58/60 units")."""

    requests = models.IntegerField(_("comment requests"), default=0)
    answered = models.IntegerField(_("answered"), default=0)

    class Meta:
        verbose_name = _("comment requests answered")
        constraints = [models.UniqueConstraint(fields=["unit", "term"], name="commentrequestcount_uniq")]
