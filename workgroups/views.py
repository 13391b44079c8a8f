"""The working-group pages. Every page asks accounts.access, through the querysets:

- a group is read by the readers of its issuing unit and by its members, managed by the
  editors of its issuing unit (its secretaries) and admins; anyone else gets a 404, whatever
  the method;
- coverage is read by the readers of the superior unit;
- a unit's follow-up log is read by the unit's readers and written by the members following it;
- "my units" is the landing page of a working-group member.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import scope_for
from accounts.tokens import login_or_token_required
from committees.models import Level, Unit
from committees.querysets import mark_in_scope
from core.forms import add_service_errors
from congresses.selectors import current_term, current_terms

from . import selectors, services
from .filters import CoverageFilterSet
from .forms import (
    AssignmentForm,
    DissolveForm,
    FollowUpForm,
    GroupForm,
    ImportForm,
    MemberForm,
    MoveForm,
    SubTeamForm,
)
from .models import Assignment, FollowUp, FollowUpAttachment, GroupMember, WorkingGroup

COVERAGE_PAGE_SIZE = 100
FOLLOW_UPS_PAGE_SIZE = 30
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _post_only(request: HttpRequest) -> HttpResponse | None:
    # After the scope check: out of scope is a 404 whatever the method.
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def _managed_group(request: HttpRequest, pk: int) -> WorkingGroup:
    return get_object_or_404(WorkingGroup.objects.editable_by(request.user).select_related("unit", "term"), pk=pk)


def _readable_unit(request: HttpRequest, pk: int) -> Unit:
    return get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)


# --- Groups -----------------------------------------------------------------------------------


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    """The groups the user may see; links to set up a group for the units they edit."""
    groups = WorkingGroup.objects.visible_to(request.user).select_related("unit", "term").order_by(
        "status", "unit__path", "-term__start_year", "number")
    scope = request.user.scope
    issuers = Unit.objects.filter(scope.edit_q("pk"))
    if scope.is_admin:
        issuers = issuers.filter(depth=0)
    return render(request, "workgroups/group_list.html", {"groups": groups, "issuers": issuers.order_by("path")[:20]})


@login_required
def group_create(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Set up a group from its decision: the staff of the superior unit (or an admin)."""
    unit = _readable_unit(request, unit_pk)
    if not request.user.scope.can_edit(unit):
        raise Http404
    term = current_term(selectors.default_level(unit)) or current_term()
    if term is None:
        messages.error(request, _("No term has been set up yet."))
        return redirect("workgroups:group_list")
    form = GroupForm(request.POST or None, request.FILES or None, superior=unit, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                group = services.group_create(
                    unit=unit, term=term, number=data["number"], name=data["name"],
                    decision_number=data["decision_number"], decision_date=data["decision_date"],
                    decision_file=data.get("decision_file") or None, purpose=data["purpose"],
                    units=list(data["units"]), sub_teams=form.sub_team_names, user=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The working group has been set up."))
                return redirect(group)
        status = 400
    return render(request, "workgroups/group_form.html", {
        "form": form, "unit": unit, "term": term, "chosen": form["units"].value() and
        Unit.objects.filter(pk__in=form["units"].value() or []).order_by("path"),
    }, status=status)


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(WorkingGroup.objects.visible_to(request.user), pk=pk)
    group = selectors.group_page(group)
    request.user.scope.mark(r.unit for r in group.open_units)  # links to the units the user opens
    can_manage = request.user.scope.can_edit(group.unit_id)
    context = {"group": group, "can_manage": can_manage and group.is_active,
               "can_read_unit": request.user.scope.can_read(group.unit)}  # its coverage page
    if can_manage and group.is_active:
        context.update(
            member_form=MemberForm(group=group), sub_team_form=SubTeamForm(),
            assignment_form=AssignmentForm(group=group, user=request.user), move_form=MoveForm(group=group),
        )
    return render(request, "workgroups/group_detail.html", context)


def _back(group: WorkingGroup, anchor: str = "") -> HttpResponse:
    return redirect(group.get_absolute_url() + (f"#{anchor}" if anchor else ""))


def _form_errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@login_required
def sub_team_add(request: HttpRequest, pk: int) -> HttpResponse:
    group = _managed_group(request, pk)
    if (refused := _post_only(request)) is not None:
        return refused
    form = SubTeamForm(request.POST)
    if form.is_valid():
        try:
            services.sub_team_add(group=group, name=form.cleaned_data["name"], user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The sub-team has been added."))
    else:
        _form_errors(request, form)
    return _back(group, "sub-teams")


@login_required
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    group = _managed_group(request, pk)
    if (refused := _post_only(request)) is not None:
        return refused
    form = MemberForm(request.POST, group=group)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.member_add(group=group, person=data["username"], full_name=data["full_name"],
                                position=data["position"], role=data["role"], sub_team=data["sub_team"],
                                user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The member has been added."))
    else:
        _form_errors(request, form)
    return _back(group, "members")


@login_required
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """A member leaves the group; their assignments (and access) end today."""
    member = get_object_or_404(GroupMember.objects.editable_by(request.user).select_related("group"), pk=pk)
    if (refused := _post_only(request)) is not None:
        return refused
    services.member_remove(member=member, user=request.user)
    messages.success(request, _("%(name)s has left the group.") % {"name": member.full_name})
    return _back(member.group, "members")


@login_required
def assignment_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign one or more units (chosen with the picker) to a member: all or none."""
    group = _managed_group(request, pk)
    if (refused := _post_only(request)) is not None:
        return refused
    form = AssignmentForm(request.POST, group=group, user=request.user)
    if form.is_valid():
        member, units = form.cleaned_data["member"], list(form.cleaned_data["units"])
        try:
            with transaction.atomic():
                for unit in units:
                    services.assignment_add(member=member, unit=unit, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, ngettext(
                "%(n)d unit assigned to %(name)s.", "%(n)d units assigned to %(name)s.", len(units),
            ) % {"n": len(units), "name": member.full_name})
    else:
        _form_errors(request, form)
    return _back(group, "members")


@login_required
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        Assignment.objects.editable_by(request.user).select_related("member__group", "unit"), pk=pk)
    if (refused := _post_only(request)) is not None:
        return refused
    services.assignment_end(assignment=assignment, user=request.user)
    messages.success(request, _("%(name)s no longer follows %(unit)s.")
                     % {"name": assignment.member.full_name, "unit": assignment.unit.name})
    return _back(assignment.member.group, "members")


@login_required
def assignment_move(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        Assignment.objects.editable_by(request.user).select_related("member__group", "unit"), pk=pk)
    if (refused := _post_only(request)) is not None:
        return refused
    form = MoveForm(request.POST, group=assignment.member.group)
    if form.is_valid():
        try:
            moved = services.assignment_move(assignment=assignment, to_member=form.cleaned_data["to_member"],
                                             user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(unit)s is now followed by %(name)s.")
                             % {"unit": moved.unit.name, "name": moved.member.full_name})
    else:
        _form_errors(request, form)
    return _back(assignment.member.group, "members")


@login_required
def assignment_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Import assignments from XLSX/CSV: every line checked first, nothing written on error."""
    group = _managed_group(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                report = services.assignments_import(group=group, upload=form.cleaned_data["file"], user=request.user)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    add_service_errors(form, exc)
                else:
                    errors = exc.messages
            else:
                messages.success(request, _("%(created)d assignments imported, %(unchanged)d already there.")
                                 % {"created": len(report.created), "unchanged": report.unchanged})
                return _back(group, "members")
        status = 400
    return render(request, "workgroups/import.html", {
        "group": group, "form": form, "errors": errors, "header": ",".join(services.IMPORT_HEADER),
    }, status=status)


@login_required
def group_dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    group = _managed_group(request, pk)
    if not group.is_active:
        return redirect(group)
    form = DissolveForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.group_dissolve(group=group, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The working group has been dissolved."))
                return redirect(group)
        status = 400
    return render(request, "workgroups/dissolve.html", {"group": group, "form": form}, status=status)


@login_required
def group_decision(request: HttpRequest, pk: int) -> FileResponse:
    """The decision's file, only through this scope check, never from a public URL."""
    group = get_object_or_404(WorkingGroup.objects.visible_to(request.user), pk=pk)
    return _file(group.decision_file)


def _file(field) -> FileResponse:
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=field.name.rsplit("/", 1)[-1])


# --- The unit picker --------------------------------------------------------------------------


@login_required
def unit_picker(request: HttpRequest) -> JsonResponse:
    """Units in the user's scope matching `q` (accents ignored), under `under` if given;
    with `purpose=petitions`, only the units whose petitions the user handles (the
    petition register form's unit)."""
    if request.GET.get("purpose") == "petitions":
        units = Unit.objects.filter(scope_for(request.user).petitions_q("path"), is_active=True)
    else:
        units = Unit.objects.visible_to(request.user).filter(is_active=True)
    under = request.GET.get("under", "")
    if under.isdecimal():
        superior = Unit.objects.visible_to(request.user).filter(pk=int(under)).first()
        units = units.under(superior, include_self=False) if superior else units.none()
    found = selectors.search_units(units, request.GET.get("q", ""))
    levels = dict(Level.choices)
    return JsonResponse({"results": [
        {"id": u.pk, "code": u.code, "name": u.name, "level": u.level, "level_display": str(levels.get(u.level, ""))}
        for u in found
    ]}, json_dumps_params={"ensure_ascii": False})


# --- Coverage ---------------------------------------------------------------------------------


def _coverage(request: HttpRequest, unit_pk: int, *, paginate: bool):
    unit = _readable_unit(request, unit_pk)
    terms = current_terms()
    groups = WorkingGroup.objects.visible_to(request.user).active().filter(
        term__in=[t.pk for t in terms.terms]).order_by("unit__path", "number")
    filterset = CoverageFilterSet(request.GET or None, queryset=Unit.objects.all(), groups=groups)
    data = filterset.form.cleaned_data if filterset.is_bound and filterset.is_valid() else {}
    level = data.get("level") or (request.GET.get("level") if request.GET.get("level") in Level.values else None)
    level = level or selectors.default_level(unit)
    units = selectors.coverage_units(
        unit=unit, level=level, terms=terms, group=data.get("group"), member=data.get("followed_by"),
        uncovered=bool(data.get("uncovered")),
    )
    page = Paginator(units, COVERAGE_PAGE_SIZE).get_page(request.GET.get("page")) if paginate else None
    shown = list(page.object_list) if page is not None else list(units)
    matrix = selectors.coverage(unit=unit, level=level, terms=terms, units=shown)
    return unit, filterset, matrix, page


@login_required
def coverage(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Units of a level under a unit × the groups and members following them: uncovered
    first, units followed twice flagged."""
    unit, filterset, matrix, page = _coverage(request, unit_pk, paginate=True)
    query = request.GET.copy()
    query.pop("page", None)
    uncovered = request.GET.copy()
    uncovered["uncovered"] = "true"
    uncovered.pop("page", None)
    ancestors = mark_in_scope(list(Unit.objects.ancestors_of(unit)), request.user)
    return render(request, "workgroups/coverage.html", {
        "unit": unit, "filter": filterset, "c": matrix, "page": page, "query": query.urlencode(),
        "uncovered_query": uncovered.urlencode(), "ancestors": ancestors, "link_current": True,
        "level_label": dict(Level.choices).get(matrix.level, ""),
    })


def _coverage_data(matrix) -> dict:
    return {
        "unit": {"id": matrix.unit.pk, "code": matrix.unit.code, "name": matrix.unit.name},
        "level": matrix.level,
        "followed": matrix.count.followed, "total": matrix.count.total, "twice": matrix.count.twice,
        "groups": [{"id": g.pk, "number": g.number, "name": g.name} for g in matrix.groups],
        "units": [
            {"id": r.unit.pk, "code": r.unit.code, "name": r.unit.name, "level": r.unit.level,
             "followed": r.groups > 0, "twice": r.twice,
             "groups": [{"id": gid, "members": names} for gid, names in r.cells.items()]}
            for r in matrix.rows
        ],
    }


@login_or_token_required
def coverage_json(request: HttpRequest, unit_pk: int) -> JsonResponse:
    _unit, _filterset, matrix, _page = _coverage(request, unit_pk, paginate=False)
    return JsonResponse(_coverage_data(matrix), json_dumps_params={"ensure_ascii": False})


@login_or_token_required
def coverage_xlsx(request: HttpRequest, unit_pk: int) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    unit, _filterset, matrix, _page = _coverage(request, unit_pk, paginate=False)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Coverage")[:31]

    def text(value) -> str:
        # Every text a string cell: a name typed as "=HYPERLINK(…)" must not become a formula.
        return "" if value is None else str(value)

    def row(values, *, bold=False) -> None:
        sheet.append([text(v) if not isinstance(v, int) else v for v in values])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
            if bold:
                cell.font = Font(bold=True)

    row([_("Coverage of %(unit)s") % {"unit": unit.name}], bold=True)
    row([_("%(followed)d/%(total)d followed") % {"followed": matrix.count.followed, "total": matrix.count.total},
         timezone.localdate().strftime("%d/%m/%Y")])
    row([_("Unit"), _("Code"), _("Followed"), _("Followed twice"), *[g.name for g in matrix.groups]], bold=True)
    yes, no = _("yes"), _("no")
    for r in matrix.rows:
        row([r.unit.name, r.unit.code, yes if r.groups else no, yes if r.twice else no,
             *[", ".join(r.cells.get(g.pk, [])) or ("✓" if g.pk in r.cells else "") for g in matrix.groups]])
    sheet.column_dimensions["A"].width = 48
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"coverage-{unit.code}.xlsx")
    return response


# --- The follow-up log ------------------------------------------------------------------------


def _writing_member(request: HttpRequest, unit: Unit) -> GroupMember | None:
    """The user's membership through which they follow `unit` now, if any."""
    assignment = (Assignment.objects.active().filter(member__user=request.user, unit=unit)
                  .select_related("member").order_by("pk").first()) if request.user.is_authenticated else None
    return assignment.member if assignment else None


@login_required
def follow_up_log(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """The follow-up log of a unit: read by its readers, written by the members following it."""
    unit = _readable_unit(request, unit_pk)
    member = _writing_member(request, unit)
    form = FollowUpForm(request.POST or None, request.FILES or None,
                        initial={"happened_on": timezone.localdate()}) if member else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.follow_up_add(member=member, unit=unit, kind=data["kind"], happened_on=data["happened_on"],
                                       text=data["text"], files=data["files"], user=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The entry has been added to the follow-up log."))
                return redirect("workgroups:follow_up_log", unit_pk=unit.pk)
        status = 400
    page = Paginator(selectors.follow_ups(unit), FOLLOW_UPS_PAGE_SIZE).get_page(request.GET.get("page"))
    ancestors = mark_in_scope(list(Unit.objects.ancestors_of(unit)), request.user)
    return render(request, "workgroups/follow_ups.html", {
        "unit": unit, "form": form, "page": page, "ancestors": ancestors, "link_current": True,
    }, status=status)


@login_required
def follow_up_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """An attachment, only to the readers of its unit, never from a public URL."""
    attachment = get_object_or_404(
        FollowUpAttachment.objects.filter(follow_up__in=FollowUp.objects.visible_to(request.user)), pk=pk)
    response = _file(attachment.file)
    response["Content-Disposition"] = content_disposition_header(True, attachment.original_name)
    return response


def _follow_up_data(entry: FollowUp) -> dict:
    return {
        "id": entry.pk, "unit": entry.unit_id, "date": entry.happened_on.isoformat(), "kind": entry.kind,
        "text": entry.text, "member": entry.member.full_name, "group": entry.member.group.name,
        "attachments": [
            {"name": a.original_name, "url": reverse("workgroups:follow_up_attachment", args=[a.pk])}
            for a in entry.attachments.all()
        ],
    }


@login_or_token_required
def follow_ups_json(request: HttpRequest, unit_pk: int) -> JsonResponse:
    unit = _readable_unit(request, unit_pk)
    entries = selectors.follow_ups(unit)[:200]
    return JsonResponse({"unit": {"id": unit.pk, "code": unit.code, "name": unit.name},
                         "entries": [_follow_up_data(e) for e in entries]}, json_dumps_params={"ensure_ascii": False})


# --- The member's landing page ----------------------------------------------------------------


@login_required
def my_units(request: HttpRequest) -> HttpResponse:
    """The units the user follows for a working group or is in charge of as a standing
    committee member, each with its congress date, overdue steps and latest follow-up
    entry, linking to their dashboards."""
    if not request.user.scope.has_my_units:
        raise Http404
    rows = selectors.my_units(user=request.user, terms=current_terms(), today=timezone.localdate(),
                              in_charge_ids=request.user.scope.in_charge_unit_ids)
    return render(request, "workgroups/my_units.html", {"rows": rows})


# --- JSON -------------------------------------------------------------------------------------


def _group_data(group: WorkingGroup, *, detail: bool) -> dict:
    data = {
        "id": group.pk, "number": group.number, "name": group.name, "status": group.status,
        "unit": {"id": group.unit_id, "code": group.unit.code, "name": group.unit.name},
        "term": group.term.name,
        "decision": {"number": group.decision_number, "date": group.decision_date.isoformat()},
        "dissolution": None if group.dissolved_on is None else {
            "number": group.dissolution_number, "date": group.dissolved_on.isoformat()},
    }
    if detail:
        data["units"] = [{"id": r.unit_id, "code": r.unit.code, "name": r.unit.name} for r in group.open_units]
        data["sub_teams"] = [{"id": t.pk, "name": t.name} for t in group.sub_teams.all()]
        data["members"] = [
            {"id": m.pk, "name": m.full_name, "position": m.position, "role": m.role,
             "sub_team": m.sub_team_id, "active": m.is_active, "user": m.user.get_username() if m.user else None,
             "units": [{"id": a.unit_id, "code": a.unit.code, "since": a.started_on.isoformat()}
                       for a in m.open_assignments]}
            for m in group.members.all()
        ]
    return data


@login_or_token_required
def groups_json(request: HttpRequest) -> JsonResponse:
    groups = WorkingGroup.objects.visible_to(request.user).select_related("unit", "term").order_by("unit__path", "number")
    return JsonResponse({"groups": [_group_data(g, detail=False) for g in groups]},
                        json_dumps_params={"ensure_ascii": False})


@login_or_token_required
def group_json(request: HttpRequest, pk: int) -> JsonResponse:
    group = get_object_or_404(WorkingGroup.objects.visible_to(request.user), pk=pk)
    return JsonResponse(_group_data(selectors.group_page(group), detail=True), json_dumps_params={"ensure_ascii": False})
