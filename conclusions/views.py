"""Pages of the bodies, conclusions and tasks. Every object is found through a queryset or
a check of accounts.access (Scope.task_q, answers_task_q, can_keep_conclusions): out of
scope is a 404, whatever the method."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from committees.models import Unit
from congresses.models import Subcommittee
from core.forms import add_service_errors
from documents.models import Document

from . import pack, selectors, services
from .forms import BodyForm, CarryOverForm, CloseForm, ConclusionForm, MemberForm, ReportForm, TaskFormSet
from .models import Body, BodyMember, Conclusion, Task, TaskReport, TaskStatus

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _post_only(request: HttpRequest) -> HttpResponse | None:
    # After the scope check: out of scope is 404 whatever the method.
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def _attachment(field_file) -> FileResponse:
    """A stored file as a download, never inline (its type was checked by its content on upload)."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=field_file.name.rsplit("/", 1)[-1])


def _readable_unit(request: HttpRequest, pk: int) -> Unit:
    return get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)


def _kept_unit(request: HttpRequest, pk: int) -> Unit:
    unit = _readable_unit(request, pk)
    if not request.user.scope.can_keep_conclusions(unit):
        raise Http404
    return unit


# --- Bodies ---------------------------------------------------------------------------------------


@login_required
def body_list(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = _readable_unit(request, unit_pk)
    can_keep = request.user.scope.can_keep_conclusions(unit)
    form = BodyForm(request.POST or None) if can_keep else None
    if request.method == "POST":
        if not can_keep:
            raise Http404
        if form.is_valid():
            try:
                body = services.body_create(unit=unit, kind=form.cleaned_data["kind"], name=form.cleaned_data["name"],
                                            user=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(name)s has been added.") % {"name": body.name})
                return redirect(body)
    return render(request, "conclusions/body_list.html", {
        "unit": unit, "bodies": selectors.bodies_of(unit), "form": form, "can_keep": can_keep,
    })


@login_required
def body_detail(request: HttpRequest, pk: int) -> HttpResponse:
    body = get_object_or_404(Body.objects.visible_to(request.user).select_related("unit"), pk=pk)
    can_keep = request.user.scope.can_keep_conclusions(body.unit)
    form = member_form = None
    if can_keep:
        form = BodyForm(request.POST if request.POST.get("action") == "save" else None,
                        initial={"kind": body.kind, "name": body.name, "is_active": body.is_active})
        member_form = MemberForm(request.POST if request.POST.get("action") == "member" else None)
    if request.method == "POST":
        if not can_keep:
            raise Http404
        if request.POST.get("action") == "save" and form.is_valid():
            try:
                services.body_update(body=body, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The body has been saved."))
                return redirect(body)
        elif request.POST.get("action") == "member" and member_form.is_valid():
            try:
                services.body_member_add(body=body, person=member_form.cleaned_data["username"], user=request.user)
            except ValidationError as exc:
                add_service_errors(member_form, exc, fields={"user": "username", "__all__": "username"})
            else:
                messages.success(request, _("The member has been added."))
                return redirect(body)
    members = body.memberships.select_related("user").order_by("user__full_name", "user__username")
    tasks = (Task.objects.filter(body=body).filter(request.user.scope.task_q())
             .select_related("conclusion").order_by("status", "due_date"))
    return render(request, "conclusions/body_detail.html", {
        "body": body, "members": members, "form": form, "member_form": member_form, "can_keep": can_keep,
        "tasks": tasks, "today": timezone.localdate(), "can_read_unit": request.user.scope.can_read(body.unit),
    })


@login_required
def body_member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(BodyMember.objects.select_related("body__unit", "user")
                               .filter(body__in=Body.objects.kept_by(request.user)), pk=pk)
    if not request.user.scope.can_read(member.body.unit):
        raise Http404
    if (refused := _post_only(request)) is not None:
        return refused
    services.body_member_remove(member=member, user=request.user)
    messages.success(request, _("%(name)s is no longer a member.") % {"name": member.user})
    return redirect(member.body)


# --- Conclusions ------------------------------------------------------------------------------------


@login_required
def conclusion_list(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = _readable_unit(request, unit_pk)
    return render(request, "conclusions/conclusion_list.html", {
        "unit": unit, "conclusions": selectors.conclusions_of(unit),
        "can_keep": request.user.scope.can_keep_conclusions(unit),
    })


def _spec(unit: Unit, data: dict) -> services.TaskSpec:
    kind, _sep, ident = (data.get("responsible") or "").partition(":")
    spec = services.TaskSpec(what=data.get("what", ""), due_date=data.get("due_date"),
                             next_quarter=bool(data.get("next_quarter")), concerns=data.get("concerns") or "")
    # The ids come from the page; the service checks they belong to this unit.
    if kind == "body":
        spec.body = Body.objects.filter(pk=ident).first()
    elif kind == "unit":
        spec.unit = Unit.objects.filter(pk=ident).first()
    elif kind == "subcommittee":
        spec.subcommittee = Subcommittee.objects.select_related("congress").filter(pk=ident).first()
    if data.get("concerns_unit"):
        spec.concerns_unit = Unit.objects.filter(pk=data["concerns_unit"]).first()
    if data.get("concerns_document"):
        spec.concerns_document = Document.objects.filter(pk=data["concerns_document"]).first()
    return spec


def _conclusion_page(request: HttpRequest, unit: Unit, conclusion: Conclusion | None) -> HttpResponse:
    """The form of a conclusion and its task rows: a new one (`conclusion` None), or a
    recorded one to correct, whose rows add tasks. Both forms are validated, so a page
    sent back shows every error at once."""
    initial = None
    if conclusion is not None:
        initial = {"kind": conclusion.kind, "held_on": conclusion.held_on, "year": conclusion.year,
                   "quarter": conclusion.quarter, "chair_name": conclusion.chair_name,
                   "chair_username": conclusion.chair.username if conclusion.chair else "", "text": conclusion.text}
    form = ConclusionForm(request.POST or None, initial=initial)
    formset = TaskFormSet(request.POST or None, unit=unit, prefix="tasks")
    if request.method == "POST" and all([form.is_valid(), formset.is_valid()]):
        rows = [f for f in formset.forms if not f.is_blank]
        data = form.cleaned_data
        meeting = {"kind": data["kind"], "held_on": data["held_on"], "text": data["text"],
                   "chair": data["chair_username"], "chair_name": data["chair_name"], "year": data["year"],
                   "quarter": data["quarter"], "user": request.user}
        specs = [_spec(unit, f.cleaned_data) for f in rows]
        try:
            if conclusion is None:
                saved = services.conclusion_record(unit=unit, tasks=specs, **meeting)
            else:
                saved = services.conclusion_correct(conclusion=conclusion, new_tasks=specs, **meeting)
        except services.TaskErrors as exc:
            for index, error in exc.rows.items():
                add_service_errors(rows[index], error)
            form.add_error(None, exc.messages)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if conclusion is None:
                messages.success(request, _("The conclusion and its %(n)d tasks have been recorded.")
                                 % {"n": saved.tasks.count()})
            else:
                messages.success(request, _("The conclusion has been corrected."))
            return redirect(saved)
    return render(request, "conclusions/conclusion_form.html", {
        "unit": unit, "form": form, "formset": formset, "conclusion": conclusion,
        "tasks": selectors.tasks_of(conclusion) if conclusion is not None else None,
    }, status=400 if request.method == "POST" else 200)


@login_required
def conclusion_create(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """The office records a meeting's conclusion and its tasks on one page: a formset of
    task rows (TASK_ROWS empty rows; static/js/task-rows.js adds more)."""
    return _conclusion_page(request, _kept_unit(request, unit_pk), None)


@login_required
def conclusion_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """The office corrects a recorded conclusion and adds the tasks it forgot; the tasks
    given keep their dates and history (a date moves by carrying the task over)."""
    conclusion = _visible_conclusion(request, pk)
    if not request.user.scope.can_keep_conclusions(conclusion.unit):
        raise Http404
    return _conclusion_page(request, conclusion.unit, conclusion)


def _visible_conclusion(request: HttpRequest, pk: int) -> Conclusion:
    return get_object_or_404(Conclusion.objects.visible_to(request.user).select_related("unit", "chair"), pk=pk)


@login_required
def conclusion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conclusion = _visible_conclusion(request, pk)
    section = pack.section_for(conclusion)
    return render(request, "conclusions/conclusion_detail.html", {
        "conclusion": conclusion, "section": section, "tasks": selectors.tasks_of(conclusion),
        "today": section.on, "can_keep": request.user.scope.can_keep_conclusions(conclusion.unit),
    })


@login_required
def conclusion_print(request: HttpRequest, pk: int) -> HttpResponse:
    conclusion = _visible_conclusion(request, pk)
    return render(request, "conclusions/conclusion_print.html", {
        "conclusion": conclusion, "section": pack.section_for(conclusion)})


@login_required
def conclusion_docx(request: HttpRequest, pk: int) -> HttpResponse:
    from docx import Document as DocxDocument  # python-docx: only the exports need it

    conclusion = _visible_conclusion(request, pk)
    document = DocxDocument()
    document.add_heading(conclusion.unit.name, level=1)
    pack.write_docx_section(document, pack.section_for(conclusion))
    buffer = io.BytesIO()
    document.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"ket-luan-{conclusion.unit.code}-{conclusion.held_on:%Y-%m-%d}.docx")
    return response


# --- Tasks ---------------------------------------------------------------------------------------------


def _visible_task(request: HttpRequest, pk: int) -> Task:
    return get_object_or_404(Task.objects.visible_to(request.user), pk=pk)


def _answerable(request: HttpRequest, task: Task) -> bool:
    return Task.objects.answerable_by(request.user).filter(pk=task.pk).exists()


def _task_page(request, task, *, report_form=None, close_form=None, carry_form=None, status=200) -> HttpResponse:
    task = selectors.task_page(task)
    can_answer = task.status == TaskStatus.OPEN and _answerable(request, task)
    can_carry = task.status == TaskStatus.OPEN and request.user.scope.can_keep_conclusions(task.conclusion.unit_id)
    return render(request, "conclusions/task_detail.html", {
        "task": task, "today": timezone.localdate(), "state": task.state_on(timezone.localdate()),
        "can_read_conclusion": request.user.scope.can_read(task.conclusion.unit),
        "report_form": (report_form or ReportForm()) if can_answer else None,
        "close_form": (close_form or CloseForm()) if can_answer else None,
        "carry_form": (carry_form or CarryOverForm()) if can_carry else None,
    }, status=status)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The task, its reports, its due-date history; a report is posted here."""
    task = _visible_task(request, pk)
    if request.method == "POST":
        if not _answerable(request, task):
            raise Http404
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.task_report(task=task, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your report has been recorded."))
                return redirect(task)
        return _task_page(request, task, report_form=form)
    return _task_page(request, task)


@login_required
def task_close(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    if not _answerable(request, task):
        raise Http404
    if (refused := _post_only(request)) is not None:
        return refused
    form = CloseForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.task_close(task=task, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The task has been closed."))
            return redirect(task)
    return _task_page(request, task, close_form=form)


@login_required
def task_carry_over(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    if not request.user.scope.can_keep_conclusions(task.conclusion.unit_id):
        raise Http404
    if (refused := _post_only(request)) is not None:
        return refused
    form = CarryOverForm(request.POST)
    if form.is_valid():
        try:
            task = services.task_carry_over(task=task, reason=form.cleaned_data["reason"], user=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The task has been carried over to %(date)s.")
                             % {"date": task.due_date.strftime("%d/%m/%Y")})
            return redirect(task)
    return _task_page(request, task, carry_form=form)


@login_required
def task_evidence(request: HttpRequest, pk: int) -> FileResponse:
    return _attachment(_visible_task(request, pk).done_evidence)


@login_required
def report_evidence(request: HttpRequest, pk: int) -> FileResponse:
    report = get_object_or_404(TaskReport.objects.filter(request.user.scope.task_q("task__")), pk=pk)
    return _attachment(report.evidence)


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The open tasks of the user's bodies and of the units they keep; done ones on demand."""
    include_done = request.GET.get("done") == "1"
    return render(request, "conclusions/my_tasks.html", {
        "tasks": selectors.my_tasks(request.user, include_done=include_done), "include_done": include_done,
        "today": timezone.localdate(),
    })
