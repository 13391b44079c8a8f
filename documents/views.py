"""Pages of congress documents. Every object is found through a queryset scoped by
accounts.access (visible_to / editable_by / reviewable_by / answerable_by): another
unit's document, version, round, request or file is a 404, whatever the method."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import Unit
from committees.querysets import mark_in_scope
from congresses.models import Congress
from core.forms import add_service_errors

from . import selectors, services
from .forms import (
    AnswerForm,
    CloseForm,
    DocumentCreateForm,
    PublicCommentForm,
    ReviewForm,
    RoundForm,
    StepForm,
    VersionForm,
)
from .models import (
    CommentRecipient,
    CommentRound,
    CongressDocument,
    DocumentReview,
    DocumentVersion,
    DraftingStep,
    ReviewDecision,
)
from .search import search as portal_search
from .text import compare


def _attachment(field_file, name: str) -> FileResponse:
    """A stored file as a download (Content-Disposition: attachment), never inline."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=name or field_file.name.rsplit("/", 1)[-1])


def _post_only(request: HttpRequest) -> HttpResponse | None:
    # After the scope check: out of scope is 404 whatever the method.
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


# --- A congress's documents ----------------------------------------------------------------


@login_required
def congress_documents(request: HttpRequest, pk: int) -> HttpResponse:
    congress = get_object_or_404(Congress.objects.visible_to(request.user).select_related("unit", "term"), pk=pk)
    can_edit = request.user.scope.can_edit(congress.unit)
    form = DocumentCreateForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                document = services.document_create(congress=congress, kind=form.cleaned_data["kind"],
                                                    title=form.cleaned_data["title"], user=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The document has been added."))
                return redirect(document)
    return render(request, "documents/congress_documents.html", {
        "congress": congress, "unit": congress.unit, "documents": selectors.congress_documents(congress),
        "form": form, "can_edit": can_edit,
        "ancestors": mark_in_scope(list(Unit.objects.ancestors_of(congress.unit)), request.user),
    })


def _document(request: HttpRequest, pk: int, qs=None) -> CongressDocument:
    qs = qs if qs is not None else CongressDocument.objects.visible_to(request.user)
    return get_object_or_404(qs.select_related("congress__unit", "congress__term"), pk=pk)


def _document_page(request: HttpRequest, document: CongressDocument, *, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    unit = document.congress.unit
    can_edit = user.scope.can_edit(unit)
    is_superior = unit.parent_id is not None and user.scope.can_edit(unit.parent_id)
    steps = services.drafting_steps_for(term=document.congress.term)
    done = {row.step_id: row for row in document.steps_done.select_related("done_by")}
    for step in steps:
        step.done_row = done.get(step.pk)
    versions = list(document.versions.select_related("uploaded_by").order_by("-number"))
    reviews = list(document.reviews.select_related("version", "submitted_by", "decided_by"))
    pending = next((r for r in reviews if r.decision == ReviewDecision.PENDING), None)
    return render(request, "documents/document_detail.html", {
        "document": document, "congress": document.congress, "unit": unit, "steps": steps,
        "steps_done": len(done), "versions": versions, "reviews": reviews, "pending_review": pending,
        "rounds": document.comment_rounds.select_related("version").order_by("-sent_at"),
        "can_edit": can_edit, "is_superior": is_superior, "today": timezone.localdate(),
        "version_form": forms.get("version_form") or (VersionForm() if can_edit else None),
        "review_form": forms.get("review_form") or (ReviewForm() if is_superior and pending else None),
        "ancestors": mark_in_scope(list(Unit.objects.ancestors_of(unit)), user),
    }, status=status)


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _document_page(request, _document(request, pk))


@login_required
def version_add(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk, CongressDocument.objects.editable_by(request.user))
    if refused := _post_only(request):
        return refused
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = services.version_upload(document=document, upload=form.cleaned_data["file"],
                                              note=form.cleaned_data["note"], user=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Version %(n)d has been uploaded.") % {"n": version.number})
            return redirect(document)
    return _document_page(request, document, version_form=form, status=400)


@login_required
def step_update(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk, CongressDocument.objects.editable_by(request.user))
    if refused := _post_only(request):
        return refused
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The step was not saved: please correct the errors below."))
        return redirect(document)
    step = get_object_or_404(DraftingStep, pk=form.cleaned_data["step"], term_id=document.congress.term_id)
    try:
        if form.cleaned_data["action"] == "done":
            services.step_complete(document=document, step=step, user=request.user,
                                   done_on=form.cleaned_data["done_on"] or timezone.localdate(),
                                   note=form.cleaned_data["note"])
        else:
            services.step_reopen(document=document, step=step, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("“%(step)s” has been saved.") % {"step": step.title})
    return redirect(document)


@login_required
def review_submit(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk, CongressDocument.objects.editable_by(request.user))
    if refused := _post_only(request):
        return refused
    version = document.versions.order_by("-number").first()
    if version is None:
        messages.error(request, _("Upload the final draft first."))
        return redirect(document)
    try:
        services.review_submit(document=document, version=version, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The final draft has been submitted to the superior."))
    return redirect(document)


@login_required
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk, CongressDocument.objects.reviewable_by(request.user))
    if refused := _post_only(request):
        return refused
    review = DocumentReview.objects.filter(document=document, decision=ReviewDecision.PENDING).first()
    if review is None:
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_decide(review=review, approve=form.cleaned_data["decision"] == "approve",
                                   comments=form.cleaned_data["comments"], user=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your decision has been recorded."))
            return redirect(document)
    return _document_page(request, document, review_form=form, status=400)


# --- Versions ----------------------------------------------------------------------------


def _version(request: HttpRequest, pk: int) -> DocumentVersion:
    return get_object_or_404(DocumentVersion.objects.visible_to(request.user).select_related(
        "document__congress__unit"), pk=pk)


@login_required
def version_download(request: HttpRequest, pk: int) -> FileResponse:
    version = _version(request, pk)
    return _attachment(version.file, version.original_name)


@login_required
def version_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """This version against another of the same document (`?with=<id>`, the previous one
    by default): paragraphs added and removed."""
    version = _version(request, pk)
    others = DocumentVersion.objects.visible_to(request.user).filter(document_id=version.document_id)
    other_id = request.GET.get("with", "")
    if other_id.isdecimal():
        other = get_object_or_404(others, pk=int(other_id))
    else:
        other = others.filter(number__lt=version.number).order_by("-number").first()
    old, new = (other, version) if other is None or other.number < version.number else (version, other)
    comparison = compare(old.text if old else "", new.text) if old is not None else None
    return render(request, "documents/version_compare.html", {
        "version": version, "old": old, "new": new, "comparison": comparison,
        "document": version.document, "choices": others.order_by("-number"),
    })


@login_required
def round_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a version for comments."""
    version = get_object_or_404(DocumentVersion.objects.filter(
        document__in=CongressDocument.objects.editable_by(request.user)).select_related("document__congress__unit"),
        pk=pk)
    unit = version.document.congress.unit
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.round_send(
                version=version, deadline=form.cleaned_data["deadline"], user=request.user,
                subordinates=form.cleaned_data["subordinates"], superior=form.cleaned_data["superior"],
                people=form.cleaned_data["people"], message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The version has been sent for comments."))
            return redirect(round_)
    subordinates = Unit.objects.filter(parent=unit, is_active=True).count()
    return render(request, "documents/round_form.html", {
        "form": form, "version": version, "document": version.document, "unit": unit,
        "subordinates": subordinates,
    }, status=400 if request.method == "POST" else 200)


# --- Comment rounds ------------------------------------------------------------------------


def _round(request: HttpRequest, pk: int, qs=None) -> CommentRound:
    qs = qs if qs is not None else CommentRound.objects.visible_to(request.user)
    return get_object_or_404(qs.select_related("document__congress__unit", "version"), pk=pk)


def _round_page(request: HttpRequest, round_: CommentRound, *, status: int = 200, **forms) -> HttpResponse:
    today = timezone.localdate()
    can_edit = request.user.scope.can_edit(round_.document.congress.unit)
    ledger = selectors.round_ledger(round_, today)
    public = list(round_.public_comments.all())
    return render(request, "documents/round_detail.html", {
        "round": round_, "document": round_.document, "unit": round_.document.congress.unit, "ledger": ledger,
        "answered": sum(1 for r in ledger if r.answered), "late": sum(1 for r in ledger if r.late),
        "public": public, "public_total": sum(p.count for p in public), "can_edit": can_edit and round_.is_open,
        "public_form": forms.get("public_form") or PublicCommentForm(),
        "close_form": forms.get("close_form") or CloseForm(),
    }, status=status)


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _round_page(request, _round(request, pk))


@login_required
def round_public(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk, CommentRound.objects.editable_by(request.user))
    if refused := _post_only(request):
        return refused
    form = PublicCommentForm(request.POST)
    if form.is_valid():
        services.public_comments_record(round=round_, user=request.user, **form.cleaned_data)
        messages.success(request, _("The public's comments have been recorded."))
        return redirect(round_)
    return _round_page(request, round_, public_form=form, status=400)


@login_required
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk, CommentRound.objects.editable_by(request.user))
    if refused := _post_only(request):
        return refused
    form = CloseForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.round_close(round=round_, user=request.user, synthesis_note=form.cleaned_data["synthesis_note"],
                                 synthesis_file=form.cleaned_data["synthesis_file"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The round has been closed with its synthesis."))
            return redirect(round_)
    return _round_page(request, round_, close_form=form, status=400)


@login_required
def round_synthesis(request: HttpRequest, pk: int) -> FileResponse:
    round_ = _round(request, pk)
    return _attachment(round_.synthesis_file, round_.synthesis_name)


# --- A recipient's request -----------------------------------------------------------------


@login_required
def request_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The recipient's page: the version to read, and the answer form for whoever
    answers for the recipient (the unit's secretary, or the named person)."""
    item = get_object_or_404(CommentRecipient.objects.visible_to(request.user).select_related(
        "round__version", "round__document__congress__unit", "unit", "user", "answered_by"), pk=pk)
    can_answer = (CommentRecipient.objects.answerable_by(request.user).filter(pk=item.pk).exists()
                  and item.answered_at is None and item.round.is_open)
    form = AnswerForm(request.POST or None, request.FILES or None) if can_answer else None
    if request.method == "POST":
        if not can_answer:
            if not CommentRecipient.objects.answerable_by(request.user).filter(pk=item.pk).exists():
                raise Http404
            messages.error(request, _("This request can no longer be answered."))
            return redirect("documents:request_answer", pk=item.pk)
        if form.is_valid():
            try:
                services.request_answer(request=item, user=request.user, text=form.cleaned_data["text"],
                                        upload=form.cleaned_data["file"] or None,
                                        no_comment=form.cleaned_data["no_comment"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your answer has been sent."))
                return redirect("documents:request_answer", pk=item.pk)
    return render(request, "documents/request_answer.html", {
        "item": item, "round": item.round, "form": form, "today": timezone.localdate(),
    }, status=400 if request.method == "POST" else 200)


@login_required
def request_file(request: HttpRequest, pk: int) -> FileResponse:
    item = get_object_or_404(CommentRecipient.objects.visible_to(request.user), pk=pk)
    return _attachment(item.answer_file, item.answer_file_name)


# --- Search -------------------------------------------------------------------------------


@login_required
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    hits = portal_search(request.user, query) if query else []
    return render(request, "documents/search.html", {"query": query, "hits": hits})
