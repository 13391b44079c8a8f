"""Petition pages. Confidential (DOMAIN.md "Petition"): every case, its attachments and its
sender are found through `Petition.objects.handled_by(user)` (accounts.access: the holders
of a handler grant over the unit, and administrators) and anyone else gets 404, whatever
the method: the concerned unit's secretary and the viewers of the subtree included. The
queue and the register form are 404 for a user who handles no petitions.

Decision (issue 14, point 2): a case opens to every handler whose grant covers its unit,
not only to the one it is assigned to. The inspection committee works as a body: a
colleague takes over a case while its handler is away, and the assignment only decides
whose queue ("mine") and whose reminders it is.

The only thing the rest of the portal sees is counts (`unit_counts_json`, the dashboard),
for units the user reads.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import scope_for
from accounts.tokens import login_or_token_required
from committees.models import Unit
from core.forms import add_service_errors
from documents.views import _attachment

from . import selectors, services
from .filters import PetitionFilterSet
from .forms import (
    AssignForm,
    AttachmentForm,
    ClassifyForm,
    ConcludeForm,
    DeadlinesForm,
    ExtendForm,
    NoteForm,
    PetitionForm,
    nominees_of,
)
from .models import Petition, PetitionAttachment, PetitionKind


# Cases per page of the queue.
QUEUE_PAGE_SIZE = 100


def _handler(request: HttpRequest) -> None:
    if not scope_for(request.user).handles_petitions:
        raise Http404


def _case(request: HttpRequest, pk: int) -> Petition:
    return get_object_or_404(Petition.objects.handled_by(request.user).select_related("unit", "handler", "nominee"),
                             pk=pk)


def _post_only(request: HttpRequest) -> HttpResponse | None:
    # After the scope check: out of scope is 404 whatever the method.
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The handler's queue: open cases first, the overdue first; filters in the query
    string (bookmarkable). Never a sender."""
    _handler(request)
    today = timezone.localdate()
    filterset = PetitionFilterSet(request.GET or None, queryset=selectors.queue(request.user), user=request.user,
                                  today=today)
    page = Paginator(filterset.qs, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    for case in page:
        case.left = case.days_left(today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "petitions/case_list.html", {
        "cases": page.object_list, "page": page, "query": query.urlencode(), "filterset": filterset,
        "summary": selectors.queue_summary(request.user, today), "today": today,
    })


def _nominees_shown(request: HttpRequest, plan_ids: set[int]) -> None:
    """Log the read of the personnel plans whose nominees a page is about to list
    (personnel.PlanRead: every page that shows a nominee's name to someone is logged)."""
    from personnel.models import PersonnelPlan
    from personnel.services import plan_read_record

    if plan_ids:
        for plan in PersonnelPlan.objects.filter(pk__in=plan_ids):
            plan_read_record(plan=plan, user=request.user, page="petition form")


@login_required
def nominee_options(request: HttpRequest, pk: int) -> HttpResponse:
    """The nominee choices of the register form for unit `pk` (HTML options, asked for
    when the handler changes the unit): 404 unless the user handles the unit's petitions."""
    _handler(request)
    unit = get_object_or_404(Unit.objects.filter(scope_for(request.user).petitions_q("path")), pk=pk)
    nominees = list(nominees_of(unit))
    _nominees_shown(request, {n.plan_id for n in nominees})
    field = PetitionForm.base_fields["nominee"]
    return render(request, "petitions/_nominee_options.html", {
        "choices": [(n.pk, field.label_from_instance(n)) for n in nominees],
    })


@login_required
def case_register(request: HttpRequest) -> HttpResponse:
    _handler(request)
    form = PetitionForm(request.POST or None, request.FILES or None, user=request.user,
                        initial={"received_on": timezone.localdate(), "unit": request.GET.get("unit")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            petition = services.petition_register(
                user=request.user, unit=d["unit"], received_on=d["received_on"], channel=d["channel"],
                kind=d["kind"], summary=d["summary"], anonymous=d["anonymous"], nominee=d["nominee"],
                about_personnel=d["about_personnel"], handler=d["handler"], files=d["attachments"],
                sender={"full_name": d["sender_name"], "contact": d["sender_contact"],
                        "address": d["sender_address"]})
        except ValidationError as exc:
            add_service_errors(form, exc, fields={"full_name": "sender_name", "contact": "sender_contact",
                                                  "address": "sender_address"})
        else:
            messages.success(request, _("Petition #%(n)s registered.") % {"n": petition.pk})
            return redirect(petition)
    # The list itself is read by the form's widget; here only which plans it shows.
    _nominees_shown(request, set(form.fields["nominee"].queryset.values_list("plan_id", flat=True)))
    return render(request, "petitions/case_form.html", {"form": form}, status=400 if form.errors else 200)


def _page(request: HttpRequest, petition: Petition, *, status: int = 200, errors=(), **forms) -> HttpResponse:
    today = timezone.localdate()
    handlers = services.handler_choices(petition.unit)
    context = {
        "case": petition, "today": today, "left": petition.days_left(today), "errors": list(errors),
        "assign_form": forms.get("assign_form") or AssignForm(handlers=handlers,
                                                              initial={"handler": petition.handler_id}),
        "classify_form": forms.get("classify_form") or ClassifyForm(),
        "verify_form": forms.get("verify_form") or NoteForm(),
        "conclude_form": forms.get("conclude_form") or ConcludeForm(),
        "close_form": forms.get("close_form") or NoteForm(),
        "extend_form": forms.get("extend_form") or ExtendForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        **selectors.case_page(petition),
    }
    return render(request, "petitions/case_detail.html", context, status=status)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _case(request, pk))


def _action(request: HttpRequest, pk: int, form_class, form_name: str, run, done: str, **form_kwargs) -> HttpResponse:
    """A workflow step posted from the case page: the service's errors come back on the
    page with what was typed (status 400)."""
    petition = _case(request, pk)
    if (refused := _post_only(request)) is not None:
        return refused
    form = form_class(request.POST, request.FILES or None, **form_kwargs)
    if form.is_valid():
        try:
            run(petition, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(petition)
    # A step the case's state does not offer has no form on the page: its errors are shown
    # above the workflow, so a refusal is never silent.
    errors = [e for field_errors in form.errors.values() for e in field_errors]
    return _page(request, petition, status=400, errors=errors, **{form_name: form})


@login_required
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _case(request, pk)
    return _action(request, pk, AssignForm, "assign_form",
                   lambda p, d: services.petition_assign(petition=p, handler=d["handler"], user=request.user),
                   _("Case assigned."), handlers=services.handler_choices(petition.unit))


@login_required
def case_classify(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, ClassifyForm, "classify_form", lambda p, d: services.petition_classify(
        petition=p, user=request.user, decision=d["decision"], transferred_to=d["transferred_to"], note=d["note"]),
        _("Case classified."))


@login_required
def case_verify(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, NoteForm, "verify_form", lambda p, d: services.petition_verify(
        petition=p, user=request.user, note=d["note"]), _("Verification started."))


@login_required
def case_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, ConcludeForm, "conclude_form", lambda p, d: services.petition_conclude(
        petition=p, user=request.user, conclusion=d["conclusion"], conclusion_file=d["conclusion_file"]),
        _("Case concluded."))


@login_required
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, NoteForm, "close_form", lambda p, d: services.petition_close(
        petition=p, user=request.user, note=d["note"]), _("Case answered and closed."))


@login_required
def case_extend(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, ExtendForm, "extend_form", lambda p, d: services.petition_extend(
        petition=p, user=request.user, days=d["days"], reason=d["reason"]), _("Deadline extended."))


@login_required
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, AttachmentForm, "attachment_form", lambda p, d: services.attachment_add(
        petition=p, user=request.user, files=d["attachments"]), _("Files added."))


@login_required
def attachment_download(request: HttpRequest, pk: int):
    attachment = get_object_or_404(
        PetitionAttachment.objects.filter(petition__in=Petition.objects.handled_by(request.user)), pk=pk)
    return _attachment(attachment.file, attachment.name)


@login_required
def conclusion_download(request: HttpRequest, pk: int):
    petition = _case(request, pk)
    return _attachment(petition.conclusion_file, "")


@login_required
def deadlines(request: HttpRequest) -> HttpResponse:
    """The days each kind of petition may take (administrators)."""
    if not scope_for(request.user).is_admin:
        raise Http404
    form = DeadlinesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deadline_rules_update(user=request.user, rows=form.rows())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Deadlines saved: they apply to the next step of each case."))
            return redirect("petitions:deadlines")
    rows = [(label, form[f"{kind}_classify"], form[f"{kind}_resolve"]) for kind, label in PetitionKind.choices]
    return render(request, "petitions/deadlines.html", {"form": form, "rows": rows},
                  status=400 if form.errors else 200)


@login_or_token_required
def unit_counts_json(request: HttpRequest, pk: int) -> JsonResponse:
    """Open, overdue and personnel petitions of a unit's subtree, for a unit the user
    reads (docs/api.md): counts only, never a case."""
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    today = timezone.localdate()
    counts = selectors.subtree_counts(unit, today)
    return JsonResponse({"unit": {"id": unit.pk, "code": unit.code}, "as_of": today.isoformat(),
                         "petitions": counts.as_dict()})
