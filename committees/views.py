from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from congresses.selectors import current_terms, unit_overview

from . import services
from .filters import UnitFilterSet
from .importing import HEADER, HEADER_VI
from .models import ImportJob, ImportStatus, Level, Unit, UnitKind
from .names import name_order
from .querysets import mark_in_scope

PAGE_SIZE = 50


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    """Units in the user's scope, searchable and filterable; the query string is the state."""
    base = Unit.objects.visible_to(request.user).select_related("parent")
    filterset = UnitFilterSet(request.GET or None, queryset=base)
    # Unfiltered, the top two levels of each subtree the user reads, not the whole tree.
    # Filtered or searched: the units found, in Vietnamese alphabetical order. Unfiltered:
    # the top two levels as a tree, each unit above its subordinates.
    if filterset.is_bound and filterset.is_valid():
        qs = filterset.qs.order_by(name_order(), "path")
    else:
        qs = base.filter(request.user.scope.top_q(levels=2)).order_by("path")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "committees/unit_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    overview = unit_overview(unit=unit, terms=current_terms(), today=timezone.localdate())
    mark_in_scope(overview.ancestors, request.user)
    can_edit = request.user.scope.can_edit(unit)
    can_start = overview.term is not None and overview.congress is None and can_edit
    return render(request, "committees/unit_detail.html", {
        "o": overview, "unit": unit, "can_start_congress": can_start,
        # The superior chooses its subordinates' pilot congresses (congresses.views.unit_pilots).
        "can_choose_pilots": can_edit and bool(overview.children),
    })


# ---------------------------------------------------------------------------------------
# Importing units (admins only; anyone else gets a 404, as for a page that does not exist).

IMPORT_JOBS_SHOWN = 20
IMPORT_ERRORS_PAGE_SIZE = 500
IMPORT_PHASES = {
    "queued": gettext_lazy("Waiting for a worker"),
    "read": gettext_lazy("Reading the file"),
    "validate": gettext_lazy("Checking the rows"),
    "write": gettext_lazy("Writing the units"),
}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Preview only (dry run)"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Check the file and show what would change, without writing anything."),
    )


def _require_portal_admin(request: HttpRequest) -> None:
    if not request.user.scope.is_admin:
        raise Http404


@login_required
def unit_import(request: HttpRequest) -> HttpResponse:
    """Upload a unit file: the import (or its preview) runs in the background."""
    _require_portal_admin(request)
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = services.import_job_create(
                    upload=form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"], user=request.user
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return redirect(job)
        status = 400
    else:
        form = ImportForm()
    context = {
        "form": form,
        "jobs": ImportJob.objects.select_related("created_by")[:IMPORT_JOBS_SHOWN],
        "header": ",".join(HEADER),
        "levels": Level.choices,
        "kinds": UnitKind.choices,
        "header_vi": ",".join(HEADER_VI),
        "max_bytes": settings.IMPORT_MAX_BYTES,
    }
    return render(request, "committees/import_form.html", context, status=status)


@login_required
def unit_import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A job's progress while it runs, then its report."""
    _require_portal_admin(request)
    job = get_object_or_404(ImportJob.objects.select_related("created_by", "source"), pk=pk)
    report = job.report or {}
    errors = Paginator(report.get("errors", []), IMPORT_ERRORS_PAGE_SIZE).get_page(request.GET.get("page"))
    application = None
    if job.dry_run:
        application = job.applications.exclude(status=ImportStatus.FAILED).order_by("pk").first()
    context = {
        "job": job,
        "report": report,
        "errors": errors,
        "bad_rows": len({e["line"] for e in report.get("errors", [])}),
        "application": application,
        "can_apply": job.dry_run and job.succeeded and application is None,
        "progress": _progress(job),
    }
    return render(request, "committees/import_job.html", context)


def _progress(job: ImportJob) -> dict:
    data = {"status": job.status, "status_display": job.get_status_display(), "finished": job.is_finished}
    if job.is_finished:
        data.update(phase="", phase_display="", done=1, total=1, percent=100)
        return data
    progress = services.import_job_progress(job=job) or {}
    phase = progress.get("phase") or ("queued" if job.status == ImportStatus.PENDING else "read")
    done, total = int(progress.get("done", 0)), int(progress.get("total", 0))
    data.update(
        phase=phase, phase_display=str(IMPORT_PHASES.get(phase, phase)), done=done, total=total,
        percent=min(100, 100 * done // total) if total else 0,
    )
    return data


@never_cache
@login_required
def unit_import_job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The status and progress of a job, polled by static/js/import.js."""
    _require_portal_admin(request)
    job = get_object_or_404(ImportJob, pk=pk)
    data = _progress(job)
    if job.is_finished:
        report = job.report or {}
        data["report"] = {
            k: report.get(k) for k in ("ok", "total", "created", "updated", "moved", "unchanged", "dry_run")
        }
        data["report"]["errors"] = len(report.get("errors", []))
        data["error"] = job.error
    return JsonResponse(data)


@login_required
def unit_import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Import for real the file of a successful preview."""
    _require_portal_admin(request)
    job = get_object_or_404(ImportJob, pk=pk)
    if request.method != "POST":  # after the checks: a non-admin gets 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    try:
        applied = services.import_job_apply(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(job)
    messages.success(request, _("The file is being imported."))
    return redirect(applied)
