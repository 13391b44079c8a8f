"""The personnel plan pages. Confidential (issue 13, point 7): every page that shows a
nominee finds the plan through `PersonnelPlan.objects.readable_by(user)` (accounts.access:
the unit's secretary, the superior's approvers, admins) and answers 404 to anyone else,
viewers of the subtree included, whatever the method; each such read is logged
(`services.plan_read_record`). Writes ask the scope for the role they need: the unit's
secretary prepares, the superior's approves. No page here takes an API token: personnel
data is never in the JSON.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import scope_for
from committees.models import Level, Unit
from congresses.models import Congress
from congresses.selectors import current_terms
from core.forms import add_service_errors

from . import selectors, services
from .filters import PlanFilterSet
from .forms import AcknowledgeForm, CommentForm, NomineeForm, PlanForm, ResultsForm
from .models import Nominee, PersonnelPlan


def _plan(request: HttpRequest, pk: int, page: str) -> PersonnelPlan:
    """The plan if the user may read its nominees (404 otherwise), its read logged."""
    plan = get_object_or_404(
        PersonnelPlan.objects.readable_by(request.user).select_related("congress__unit", "congress__term"), pk=pk)
    services.plan_read_record(plan=plan, user=request.user, page=page)
    return plan


def _prepared(request: HttpRequest, plan: PersonnelPlan) -> None:
    if not scope_for(request.user).can_prepare_personnel(plan.congress.unit):
        raise Http404


def _approved_by(request: HttpRequest, plan: PersonnelPlan) -> None:
    if not scope_for(request.user).can_approve_personnel(plan.congress.unit):
        raise Http404


def _post_only(request: HttpRequest) -> HttpResponse | None:
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    """The plans the user prepares or approves: unit, status, revision and counts; never a
    nominee's name (the list is not logged as a read)."""
    scope = scope_for(request.user)
    plans = (PersonnelPlan.objects.readable_by(request.user).select_related("congress__unit", "congress__term")
             .order_by("congress__unit__path", "-congress__term__start_year"))
    filterset = PlanFilterSet(request.GET or None, queryset=plans)
    plans = filterset.qs
    openable = Congress.objects.filter(unit_id__in=scope.personnel_unit_ids, personnel_plan__isnull=True
                                       ).select_related("unit", "term")
    return render(request, "personnel/plan_list.html", {"plans": plans, "openable": openable,
                                                          "filterset": filterset})


@login_required
def unit_counts_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The personnel plans below a unit the user reads, per level, as CSV: counts from the
    roll-up, never a name (issue 13, point 8)."""
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    terms = current_terms()
    by_level = selectors.plan_counts(unit, terms) if terms.terms else {}
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="personnel-{unit.code}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Level"), _("Plans"), _("Awaiting approval"), _("Returned"), _("Approved"),
                     _("Composition targets met"), _("Results entered")])
    for level in Level.values:
        if level in by_level:
            c = by_level[level]
            writer.writerow([Level(level).label, c.plans, c.submitted, c.returned, c.approved, c.composition_met,
                             c.results])
    return response


@login_required
def plan_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the personnel plan of a congress the user prepares (its seats first)."""
    scope = scope_for(request.user)
    congress = get_object_or_404(Congress.objects.select_related("unit", "term"), pk=pk)
    if not scope.can_prepare_personnel(congress.unit):
        raise Http404
    existing = PersonnelPlan.objects.filter(congress=congress).first()
    if existing is not None:
        return redirect(existing)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(congress=congress, user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(plan)
    return render(request, "personnel/plan_form.html", {"form": form, "congress": congress})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, "detail")
    scope = scope_for(request.user)
    page = selectors.plan_page(plan)
    return render(request, "personnel/plan_detail.html", {
        "plan": plan, "page": page, "can_prepare": scope.can_prepare_personnel(plan.congress.unit),
        "can_approve": scope.can_approve_personnel(plan.congress.unit),
        "unacknowledged": services.unacknowledged(plan, page.checks),
        "transitions": plan.transitions.select_related("by"),
        "comment_form": CommentForm(), "ack_form": AcknowledgeForm(),
    })


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, "edit")
    _prepared(request, plan)
    form = PlanForm(request.POST or None, instance=PersonnelPlan.objects.get(pk=plan.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(plan=plan, user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(plan)
    return render(request, "personnel/plan_form.html", {"form": form, "congress": plan.congress, "plan": plan})


def _nominee_page(request, plan, form, nominee=None) -> HttpResponse:
    """The nominee form with the checks of the plan as it would be with the typed data:
    "Check" re-runs them without saving (live while editing)."""
    others = [n for n in plan.nominees.all() if nominee is None or n.pk != nominee.pk]
    preview = others
    if form.is_bound and form.is_valid():
        preview = [*others, form.preview(plan)]
    elif nominee is not None:
        preview = [*others, nominee]
    from . import checks

    return render(request, "personnel/nominee_form.html", {
        "form": form, "plan": plan, "nominee": nominee, "checks": checks.run(plan, preview)})


@login_required
def nominee_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, "nominee_add")
    _prepared(request, plan)
    form = NomineeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and "preview" not in request.POST:
        try:
            services.nominee_add(plan=plan, user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if "another" in request.POST:
                return redirect("personnel:nominee_add", pk=plan.pk)
            return redirect(plan)
    return _nominee_page(request, plan, form)


def _nominee(request: HttpRequest, pk: int, page: str) -> Nominee:
    nominee = get_object_or_404(Nominee.objects.readable_by(request.user).select_related(
        "plan__congress__unit", "plan__congress__term"), pk=pk)
    services.plan_read_record(plan=nominee.plan, user=request.user, page=page)
    return nominee


@login_required
def nominee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    nominee = _nominee(request, pk, "nominee_edit")
    plan = nominee.plan
    _prepared(request, plan)
    form = NomineeForm(request.POST) if request.method == "POST" else NomineeForm.for_nominee(nominee)
    if request.method == "POST" and form.is_valid() and "preview" not in request.POST:
        try:
            services.nominee_update(nominee=nominee, user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(plan)
    return _nominee_page(request, plan, form, nominee)


@login_required
def nominee_remove(request: HttpRequest, pk: int) -> HttpResponse:
    nominee = _nominee(request, pk, "nominee_remove")
    _prepared(request, nominee.plan)
    if refused := _post_only(request):
        return refused
    try:
        services.nominee_remove(nominee=nominee, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(nominee.plan)


def _act(request: HttpRequest, plan: PersonnelPlan, action, done: str, **kwargs) -> HttpResponse:
    try:
        action(plan=plan, user=request.user, **kwargs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, done)
    return redirect(plan)


@login_required
def check_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, "acknowledge")
    _prepared(request, plan)
    if refused := _post_only(request):
        return refused
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the plan departs from this check."))
        return redirect(plan)
    return _act(request, plan, services.check_acknowledge, _("The warning is acknowledged."),
                code=form.cleaned_data["code"], reason=form.cleaned_data["reason"])


def _comment(request) -> str:
    form = CommentForm(request.POST)
    return form.cleaned_data["comment"] if form.is_valid() else ""


@login_required
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, "submit")
    _prepared(request, plan)
    if refused := _post_only(request):
        return refused
    return _act(request, plan, services.plan_submit, _("The plan is submitted to the superior."),
                comment=_comment(request))


@login_required
def plan_return(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, "return")
    _approved_by(request, plan)
    if refused := _post_only(request):
        return refused
    return _act(request, plan, services.plan_return, _("The plan is returned with your comments."),
                comment=_comment(request))


@login_required
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, "approve")
    _approved_by(request, plan)
    if refused := _post_only(request):
        return refused
    return _act(request, plan, services.plan_approve, _("The plan is approved."), comment=_comment(request))


@login_required
def plan_revise(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, "revise")
    _prepared(request, plan)
    if refused := _post_only(request):
        return refused
    return _act(request, plan, services.plan_revise, _("A new revision of the plan is open."),
                reason=_comment(request))


@login_required
def plan_results(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, "results")
    _prepared(request, plan)
    nominees = list(plan.nominees.all())
    form = ResultsForm(request.POST or None, plan=plan, nominees=nominees)
    if request.method == "POST" and form.is_valid():
        try:
            services.results_enter(plan=plan, user=request.user, elected=form.elected())
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("The results are recorded."))
            return redirect(plan)
    return render(request, "personnel/results_form.html", {"form": form, "plan": plan})
