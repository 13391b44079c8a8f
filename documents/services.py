"""Writes of congress documents: drafting steps, versions, comment rounds and their
answers, public comments, the synthesis, the superior's review. Each is typed,
keyword-only and atomic; each keeps the roll-ups (documents.progress) in its transaction.
Views, the admin and the tests call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from committees.models import Unit
from core.text import fold

from core import files

from . import progress, text
from .models import (
    CommentRecipient,
    CommentRound,
    CongressDocument,
    DocumentKind,
    DocumentReview,
    DocumentStepDone,
    DocumentVersion,
    DraftingStep,
    PublicComment,
    RecipientKind,
    ReviewDecision,
    ReviewState,
    StepEffect,
)

# The default drafting sequence (issue 12; seed 001 counts six: "3/6 bước biên tập văn kiện").
DEFAULT_STEPS = [
    ("outline", gettext_lazy("Outline"), StepEffect.MANUAL),
    ("first_draft", gettext_lazy("First draft"), StepEffect.MANUAL),
    ("committee_comments", gettext_lazy("Comments of the executive committee"), StepEffect.MANUAL),
    ("second_draft", gettext_lazy("Second draft"), StepEffect.MANUAL),
    ("wide_comments", gettext_lazy("Comments of subordinate units and the public"), StepEffect.MANUAL),
    ("final_draft", gettext_lazy("Final draft approved by the superior"), StepEffect.REVIEW),
]


def _save(obj, user) -> None:
    obj._history_user = user
    obj.save()


def _now() -> dt.datetime:
    return timezone.now()


# --- Drafting steps -------------------------------------------------------------------------


@transaction.atomic
def drafting_steps_for(*, term) -> list[DraftingStep]:
    """The term's drafting sequence, given the default six steps the first time it is
    asked for (an admin edits them afterwards: DraftingStep in the admin)."""
    steps = list(DraftingStep.objects.filter(term=term).order_by("order"))
    if steps:
        return steps
    for order, (code, title, effect) in enumerate(DEFAULT_STEPS, start=1):
        step = DraftingStep(term=term, order=order, code=code, title=str(title), effect=effect)
        step.full_clean(validate_constraints=False)
        steps.append(step)
    try:
        with transaction.atomic():
            DraftingStep.objects.bulk_create(steps)
    except IntegrityError:  # another request gave the defaults first
        pass
    return list(DraftingStep.objects.filter(term=term).order_by("order"))


# --- Documents and versions -----------------------------------------------------------------


@transaction.atomic
def document_create(*, congress, kind: str, title: str = "", user) -> CongressDocument:
    """A document of the congress; a kind other than "other" once per congress."""
    drafting_steps_for(term=congress.term)
    document = CongressDocument(congress=congress, kind=kind, title=title or str(DocumentKind(kind).label),
                                created_by=user)
    document.search_text = fold(document.title)
    document.full_clean()
    unit = congress.unit
    with progress.track_document(None, unit) as tracked:
        _save(document, user)
        tracked.track(document.pk)
    return document


def _locked(document: CongressDocument) -> CongressDocument:
    return CongressDocument.objects.select_for_update().select_related("congress__unit", "congress__term").get(
        pk=document.pk)


@transaction.atomic
def version_upload(*, document: CongressDocument, upload: UploadedFile, note: str = "", user) -> DocumentVersion:
    """A new numbered version of the document; nothing is overwritten.

    1. check the file by its content against the allow-list and the size limit;
    2. lock the document, so two uploads at once get numbers n and n+1;
    3. read the text of a .docx or .pdf (for comparison and search) and store the file
       through the storage API under MEDIA_ROOT;
    4. the document's search text becomes its title and this latest text.
    """
    try:
        file_type = files.check_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    document = _locked(document)
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    paragraphs = text.extract_paragraphs(upload, file_type)
    version = DocumentVersion(document=document, number=number, original_name=upload.name[:255],
                              file_type=file_type, size=upload.size, text="\n".join(paragraphs),
                              note=note, uploaded_by=user)
    version.file.save(upload.name, upload, save=False)
    version.full_clean()
    version.save()
    document.search_text = fold(f"{document.title}\n{version.text}")
    _save(document, user)
    progress.rollups.touch([document.congress.unit_id])
    return version


@transaction.atomic
def step_complete(*, document: CongressDocument, step: DraftingStep, done_on: dt.date, note: str = "",
                  user) -> DocumentStepDone:
    """Tick a drafting step of the document. The review step is ticked only by the
    superior's approval (review_decide)."""
    document = _locked(document)
    if step.term_id != document.congress.term_id:
        raise ValidationError({"step": _("This step belongs to another term's drafting sequence.")})
    if step.effect == StepEffect.REVIEW:
        raise ValidationError({"step": _("This step is done when the superior approves the final draft.")})
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("The date is after today: enter it once the step is done.")})
    existing = document.steps_done.filter(step=step).first()
    if existing is not None:
        return existing
    with progress.track_document(document, document.congress.unit):
        row = DocumentStepDone(document=document, step=step, done_on=done_on, note=note, done_by=user)
        row.full_clean()
        _save(row, user)
    return row


@transaction.atomic
def step_reopen(*, document: CongressDocument, step: DraftingStep, user) -> None:
    """Untick a step (entered by mistake, or the draft is reworked)."""
    document = _locked(document)
    if step.effect == StepEffect.REVIEW:
        raise ValidationError({"step": _("This step is done when the superior approves the final draft.")})
    with progress.track_document(document, document.congress.unit):
        for row in document.steps_done.filter(step=step):
            row._history_user = user
            row.delete()


# --- Comment rounds -------------------------------------------------------------------------


@transaction.atomic
def round_send(*, version: DocumentVersion, deadline: dt.date, user, subordinates: bool = False,
               superior: bool = False, units: Iterable[Unit] = (), people: Iterable = (),
               message: str = "") -> CommentRound:
    """Send a version for comments.

    Recipients: every active direct subordinate of the document's unit in one click
    (seed 001: "gửi tới 100% chi, đảng bộ cơ sở góp ý"), the superior unit (the parent),
    chosen units and named people; each once. The requests count in the recipients'
    ancestors' roll-ups (documents.progress.requests_changed), one upsert per parent.
    """
    document = version.document
    unit = document.congress.unit
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline is already past.")})
    targets: dict[int, tuple[Unit, str]] = {}
    if subordinates:
        for child in Unit.objects.filter(parent=unit, is_active=True).order_by("path"):
            targets[child.pk] = (child, RecipientKind.SUBORDINATE)
    if superior:
        if unit.parent_id is None:
            raise ValidationError({"superior": _("This unit has no superior unit.")})
        targets.setdefault(unit.parent_id, (Unit.objects.get(pk=unit.parent_id), RecipientKind.SUPERIOR))
    for other in units:
        kind = RecipientKind.SUPERIOR if other.pk == unit.parent_id else RecipientKind.SUBORDINATE
        targets.setdefault(other.pk, (other, kind))
    people = {p.pk: p for p in people}
    if not targets and not people:
        raise ValidationError(_("Choose at least one recipient."))
    round_ = CommentRound(document=document, version=version, deadline=deadline, message=message, sent_by=user)
    round_.full_clean()
    _save(round_, user)
    recipients = [CommentRecipient(round=round_, kind=kind, unit=u) for u, kind in targets.values()]
    recipients += [CommentRecipient(round=round_, kind=RecipientKind.PERSON, user=p) for p in people.values()]
    CommentRecipient.objects.bulk_create(recipients)
    progress.requests_changed(document.congress.term_id, [(u, 1, 0) for u, _k in targets.values()], sender=unit)
    return round_


@transaction.atomic
def request_answer(*, request: CommentRecipient, user, text: str = "", upload: UploadedFile | None = None,
                   no_comment: bool = False) -> CommentRecipient:
    """The recipient's answer: comments as text and/or a file, or "no comment". Answered
    once; the round must still be open."""
    # Lock the request row only: its unit is nullable (a named person), and PostgreSQL
    # cannot lock the nullable side of an outer join.
    request = CommentRecipient.objects.select_for_update(of=("self",)).select_related(
        "round__document__congress__unit", "unit").get(pk=request.pk)
    if request.round.closed_at is not None:
        raise ValidationError(_("This comment round is closed."))
    if request.answered_at is not None:
        raise ValidationError(_("This request has already been answered."))
    if not no_comment and not text.strip() and upload is None:
        raise ValidationError(_("Write your comments, attach a file, or record that you have no comment."))
    if upload is not None:
        try:
            files.check_upload(upload)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        request.answer_file.save(upload.name, upload, save=False)
        request.answer_file_name = upload.name[:255]
    request.answer_text = "" if no_comment else text
    request.no_comment = no_comment
    request.answered_at = _now()
    request.answered_by = user
    _save(request, user)
    if request.unit is not None:
        progress.requests_changed(request.round.document.congress.term_id, [(request.unit, 0, 1)],
                                  sender=request.round.document.congress.unit)
    else:
        progress.rollups.touch([request.round.document.congress.unit_id])
    return request


@transaction.atomic
def public_comments_record(*, round: CommentRound, count: int, source: str, summary: str = "",  # noqa: A002
                           user) -> PublicComment:
    """Comments of the public gathered for the round: how many and from where."""
    row = PublicComment(round=round, count=count, source=source, summary=summary, recorded_by=user)
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def round_close(*, round: CommentRound, user, synthesis_note: str = "",  # noqa: A002
                synthesis_file: UploadedFile | None = None) -> CommentRound:
    """Close the round with the synthesis of its comments (tổng hợp ý kiến): a text
    and/or a document linked to the round. Unanswered requests stay unanswered."""
    round_ = CommentRound.objects.select_for_update().get(pk=round.pk)
    if round_.closed_at is not None:
        raise ValidationError(_("This comment round is already closed."))
    if not synthesis_note.strip() and synthesis_file is None:
        raise ValidationError(_("Attach the synthesis of the comments or write it."))
    if synthesis_file is not None:
        try:
            files.check_upload(synthesis_file)
        except ValidationError as exc:
            raise ValidationError({"synthesis_file": exc.messages}) from exc
        round_.synthesis_file.save(synthesis_file.name, synthesis_file, save=False)
        round_.synthesis_name = synthesis_file.name[:255]
    round_.synthesis_note = synthesis_note
    round_.closed_at = _now()
    round_.closed_by = user
    _save(round_, user)
    progress.rollups.touch([round.document.congress.unit_id])
    return round_


# --- The superior's review ------------------------------------------------------------------


@transaction.atomic
def review_submit(*, document: CongressDocument, version: DocumentVersion, user) -> DocumentReview:
    """Submit a version as the final draft to the superior."""
    document = _locked(document)
    if version.document_id != document.pk:
        raise ValidationError({"version": _("This version belongs to another document.")})
    if document.congress.unit.parent_id is None:
        raise ValidationError(_("This unit has no superior unit."))
    if document.reviews.filter(decision=ReviewDecision.PENDING).exists():
        raise ValidationError(_("A draft is already awaiting the superior's review."))
    review = DocumentReview(document=document, version=version, submitted_by=user)
    review.full_clean()
    _save(review, user)
    document.review_state = ReviewState.SUBMITTED
    _save(document, user)
    progress.rollups.touch([document.congress.unit_id])
    return review


@transaction.atomic
def review_decide(*, review: DocumentReview, approve: bool, comments: str = "", user) -> DocumentReview:
    """The superior approves the final draft (its review step is then done) or returns
    it with comments (a returned draft must say what to change)."""
    review = DocumentReview.objects.select_for_update().get(pk=review.pk)
    if review.decision != ReviewDecision.PENDING:
        raise ValidationError(_("This draft has already been decided on."))
    if not approve and not comments.strip():
        raise ValidationError({"comments": _("Say what must change when returning a draft.")})
    document = _locked(review.document)
    review.decision = ReviewDecision.APPROVED if approve else ReviewDecision.RETURNED
    review.comments = comments
    review.decided_at = _now()
    review.decided_by = user
    _save(review, user)
    with progress.track_document(document, document.congress.unit):
        document.review_state = ReviewState.APPROVED if approve else ReviewState.RETURNED
        _save(document, user)
        if approve:
            for step in DraftingStep.objects.filter(term_id=document.congress.term_id, effect=StepEffect.REVIEW):
                if not document.steps_done.filter(step=step).exists():
                    _save(DocumentStepDone(document=document, step=step, done_on=timezone.localdate(),
                                           note=comments[:500], done_by=user), user)
    return review
