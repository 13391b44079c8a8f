"""Pages of the quarterly briefing. Every object is found through a queryset scoped by
accounts.access (visible_to / answerable_by, Scope.can_file_report / can_answer_reports):
another unit's report, row or pack is a 404, whatever the method."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.tokens import login_or_token_required
from committees.models import Unit
from committees.querysets import mark_in_scope
from congresses.selectors import current_terms
from core.forms import add_service_errors
from core.http import safe_next

from . import exports, selectors, services
from . import pack as packs
from .forms import AnswerForm, OpenReportForm, ReopenForm, RowForm, SummaryForm
from .models import Difficulty, Proposal, QuarterlyReport, ReportStatus
from .quarters import Quarter

PAGE_SIZE = 50
# Quarters offered when a unit opens a report, and in the pack's quarter picker.
QUARTERS_BACK = 4


def _post_only(request: HttpRequest) -> HttpResponse | None:
    # After the scope check: out of scope is 404 whatever the method.
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def _recent_quarters(today) -> list[Quarter]:
    q, out = Quarter.of(today), []
    for _i in range(QUARTERS_BACK):
        out.append(q)
        q = q.previous
    return out


def _quarter(request: HttpRequest, today) -> Quarter:
    return Quarter.parse(request.GET.get("quarter", "")) or Quarter.of(today)


def _visible_unit(request: HttpRequest, pk: int) -> Unit:
    return get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)


# --- My reports, a unit's reports ----------------------------------------------------------


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    """The current quarter's report of each unit the user files for."""
    today = timezone.localdate()
    quarter = Quarter.of(today)
    scope = request.user.scope
    units = list(Unit.objects.filter(pk__in=scope.my_unit_ids, parent__isnull=False).order_by("path"))
    reports = {r.unit_id: r for r in QuarterlyReport.objects.of(quarter).filter(unit__in=units)}
    rows = [(u, reports.get(u.pk)) for u in units]
    return render(request, "briefings/my_reports.html", {
        "rows": rows, "quarter": quarter, "today": today, "answers": bool(scope.edit_unit_ids or scope.is_admin),
    })


@login_required
def unit_reports(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's reports, every quarter; its secretaries open the report of a quarter."""
    unit = _visible_unit(request, pk)
    today = timezone.localdate()
    can_file = request.user.scope.can_file_report(unit) and unit.parent_id is not None
    form = OpenReportForm(request.POST or None, quarters=_recent_quarters(today)) if can_file else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                report = services.report_open(unit=unit, quarter=Quarter.parse(form.cleaned_data["quarter"]),
                                              user=request.user, today=today)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect(report)
    ancestors = mark_in_scope(list(Unit.objects.ancestors_of(unit)), request.user)
    return render(request, "briefings/unit_reports.html", {
        "unit": unit, "ancestors": ancestors, "reports": selectors.reports_of_unit(unit), "form": form,
        "current": Quarter.of(today),
    })


# --- One report ------------------------------------------------------------------------------


def _report(request: HttpRequest, pk: int) -> QuarterlyReport:
    return get_object_or_404(QuarterlyReport.objects.visible_to(request.user).select_related("unit"), pk=pk)


def _render_report(request, report, *, summary_form=None, difficulty_form=None, proposal_form=None, status=200):
    scope = request.user.scope
    can_file = scope.can_file_report(report.unit) and not report.is_submitted
    can_answer = scope.can_answer_reports(report.unit)
    today = timezone.localdate()
    progress = selectors.progress_of(report, today)
    return render(request, "briefings/report_detail.html", {
        "report": report, "unit": report.unit, "progress": progress,
        "done_in_quarter": progress.done_in(report.period),
        "difficulties": report.difficulties.all(), "proposals": report.proposals.select_related("answered_by"),
        "can_file": can_file, "can_answer": can_answer and report.is_submitted,
        "summary_form": summary_form or (SummaryForm(initial={"summary": report.summary}) if can_file else None),
        "difficulty_form": difficulty_form or (RowForm(prefix="d") if can_file else None),
        "proposal_form": proposal_form or (RowForm(prefix="p") if can_file else None),
        "today": today, "overdue": not report.is_submitted and today > report.period.due_date,
    }, status=status)


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    if request.method == "POST":
        if not request.user.scope.can_file_report(report.unit):
            raise Http404
        form = SummaryForm(request.POST)
        if form.is_valid():
            try:
                services.report_update(report=report, user=request.user, summary=form.cleaned_data["summary"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The summary has been saved."))
                return redirect(report)
        return _render_report(request, report, summary_form=form, status=400)
    return _render_report(request, report)


def _add_row(request: HttpRequest, pk: int, *, prefix: str, service, done: str) -> HttpResponse:
    report = _report(request, pk)
    if not request.user.scope.can_file_report(report.unit):
        raise Http404
    if (refused := _post_only(request)) is not None:
        return refused
    form = RowForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            service(report=report, user=request.user, theme=form.cleaned_data["theme"], text=form.cleaned_data["text"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(report)
    forms = {"difficulty_form" if prefix == "d" else "proposal_form": form}
    return _render_report(request, report, status=400, **forms)


@login_required
def difficulty_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_row(request, pk, prefix="d", service=services.difficulty_add, done=_("The difficulty has been added."))


@login_required
def proposal_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_row(request, pk, prefix="p", service=services.proposal_add, done=_("The proposal has been added."))


def _remove(request, obj, service, **kwargs) -> HttpResponse:
    if not request.user.scope.can_file_report(obj.report.unit):
        raise Http404
    if (refused := _post_only(request)) is not None:
        return refused
    try:
        service(user=request.user, **kwargs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Removed."))
    return redirect(obj.report)


@login_required
def difficulty_remove(request: HttpRequest, pk: int) -> HttpResponse:
    difficulty = get_object_or_404(
        Difficulty.objects.filter(request.user.scope.read_q("report__unit__path")).select_related("report__unit"), pk=pk)
    return _remove(request, difficulty, services.difficulty_remove, difficulty=difficulty)


@login_required
def proposal_remove(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal.objects.visible_to(request.user).select_related("report__unit"), pk=pk)
    return _remove(request, proposal, services.proposal_remove, proposal=proposal)


@login_required
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    if not request.user.scope.can_file_report(report.unit):
        raise Http404
    if (refused := _post_only(request)) is not None:
        return refused
    try:
        services.report_submit(report=report, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The report has been submitted to the superior unit."))
    return redirect(report)


@login_required
def report_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    if not request.user.scope.can_answer_reports(report.unit):
        raise Http404
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_reopen(report=report, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The report has been reopened; the unit can change it again."))
            return redirect(report)
    return render(request, "briefings/reopen.html", {"report": report, "form": form},
                  status=400 if form.errors else 200)


# --- The superior: answers, inbox, open proposals ----------------------------------------------


@login_required
def proposal_answer(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(
        Proposal.objects.answerable_by(request.user).select_related("report__unit", "answered_by"), pk=pk)
    initial = {"status": proposal.status if not proposal.is_open else "", "answer": proposal.answer,
               "forwarded_to": proposal.forwarded_to}
    form = AnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_answer(proposal=proposal, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The answer has been recorded; the unit sees it on its report."))
            return redirect(safe_next(request) or "briefings:open_proposals")
    today = timezone.localdate()
    return render(request, "briefings/proposal_answer.html", {
        "proposal": proposal, "report": proposal.report, "form": form,
        "age": selectors.proposal_age(proposal, today), "next": safe_next(request),
    }, status=400 if form.errors else 200)


def _inbox_unit(request: HttpRequest) -> Unit | None:
    scope = request.user.scope
    raw = request.GET.get("unit", "")
    if raw.isdecimal():
        unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=int(raw))
        if not scope.can_edit(unit):
            raise Http404
        return unit
    if scope.my_unit_ids:
        return Unit.objects.filter(pk__in=scope.my_unit_ids).order_by("depth", "path").first()
    if scope.is_admin:
        return Unit.objects.filter(parent__isnull=True).order_by("path").first()
    return None


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The reports of the units directly under one of the user's units, for a quarter."""
    today = timezone.localdate()
    quarter = _quarter(request, today)
    unit = _inbox_unit(request)
    rows = selectors.inbox(unit=unit, quarter=quarter) if unit is not None else []
    units = list(Unit.objects.filter(pk__in=request.user.scope.my_unit_ids).order_by("path"))
    return render(request, "briefings/inbox.html", {
        "unit": unit, "units": units, "rows": rows, "quarter": quarter, "quarters": _recent_quarters(today),
        "submitted": sum(1 for r in rows if r.submitted), "today": today,
        "overdue": today > quarter.due_date,
    })


@login_required
def open_proposals(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    raw = request.GET.get("unit", "")
    under = _visible_unit(request, int(raw)) if raw.isdecimal() else None
    page = Paginator(selectors.open_proposals(request.user, under=under), PAGE_SIZE).get_page(request.GET.get("page"))
    scope = request.user.scope
    for p in page:
        p.age = selectors.proposal_age(p, today)
        p.can_answer = scope.can_answer_reports(p.report.unit)
    return render(request, "briefings/open_proposals.html", {
        "page": page, "under": under, "query": urlencode({"unit": under.pk}) if under else "",
    })


# --- The briefing pack --------------------------------------------------------------------------


def _pack(request: HttpRequest, pk: int) -> packs.Pack:
    unit = _visible_unit(request, pk)
    terms = current_terms()
    if not terms.terms:
        raise Http404
    today = timezone.localdate()
    quarter = _quarter(request, today)
    if quarter > Quarter.of(today):
        raise Http404
    return packs.build(unit=unit, quarter=quarter, terms=terms, today=today)


@login_required
def pack_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The briefing pack laid out for paper (print), with its .docx."""
    pack = _pack(request, pk)
    ancestors = mark_in_scope(list(Unit.objects.ancestors_of(pack.unit)), request.user)
    return render(request, "briefings/pack.html", {
        "pack": pack, "d": pack.d, "unit": pack.unit, "ancestors": ancestors,
        "quarters": _recent_quarters(pack.today),
    })


@login_or_token_required(anonymous="login")  # people open these links in a browser
def pack_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return exports.pack_docx(_pack(request, pk))


# --- JSON ---------------------------------------------------------------------------------------


def _dt(value) -> str | None:
    return value.isoformat() if value else None


def _proposal_json(p: Proposal, today) -> dict:
    return {"id": p.pk, "unit": {"id": p.report.unit_id, "name": p.report.unit.name},
            "quarter": p.report.period.key, "theme": p.theme, "text": p.text, "status": p.status,
            "answer": p.answer, "forwarded_to": p.forwarded_to, "answered_at": _dt(p.answered_at),
            "submitted_at": _dt(p.report.submitted_at), "age_days": selectors.proposal_age(p, today)}


@login_or_token_required
def unit_reports_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The quarterly reports of the unit and every unit below for a quarter (docs/api.md)."""
    unit = _visible_unit(request, pk)
    today = timezone.localdate()
    quarter = _quarter(request, today)
    reports = (QuarterlyReport.objects.of(quarter).under(unit, include_self=True).select_related("unit")
               .prefetch_related("difficulties", "proposals__report__unit").order_by("unit__path"))
    return JsonResponse({
        "unit": {"id": unit.pk, "code": unit.code, "name": unit.name},
        "quarter": quarter.key, "due_date": quarter.due_date.isoformat(),
        "reports": [{
            "id": r.pk, "unit": {"id": r.unit_id, "code": r.unit.code, "name": r.unit.name},
            "status": r.status, "submitted_at": _dt(r.submitted_at), "summary": r.summary,
            "difficulties": [{"theme": x.theme, "text": x.text} for x in r.difficulties.all()],
            "proposals": [_proposal_json(p, today) for p in r.proposals.all()],
        } for r in reports],
    }, json_dumps_params={"ensure_ascii": False})


@login_or_token_required
def unit_proposals_json(request: HttpRequest, pk: int) -> JsonResponse:
    """Proposals of submitted reports of the unit and below, oldest first; `?status=open`
    (the default) or `all` (docs/api.md)."""
    unit = _visible_unit(request, pk)
    today = timezone.localdate()
    qs = Proposal.objects.visible_to(request.user).filter(report__unit__path__startswith=unit.path)
    if request.GET.get("status", "open") == "open":
        qs = qs.open()
    else:
        qs = qs.filter(report__status=ReportStatus.SUBMITTED)
    qs = qs.select_related("report__unit").order_by("report__submitted_at", "pk")[:1000]
    return JsonResponse({"unit": {"id": unit.pk, "code": unit.code, "name": unit.name},
                         "proposals": [_proposal_json(p, today) for p in qs]},
                        json_dumps_params={"ensure_ascii": False})
