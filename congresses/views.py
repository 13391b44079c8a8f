import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from committees.models import Unit
from committees.querysets import mark_in_scope
from core.forms import add_service_errors

from . import services
from .forms import CongressForm, MilestoneForm, PilotsForm, SubcommitteeForm
from .models import Congress, Milestone, Subcommittee
from .selectors import (
    Deadline,
    congress_history,
    congress_warnings,
    current_term,
    current_terms,
    subcommittees_of,
)


def _today() -> dt.date:
    return timezone.localdate()


def focus_first_error(form) -> None:
    """The first field in error takes the focus, which scrolls it into view: on a phone the
    failed form is several items below the top of the page (issue 10, point 5). The form's
    action also names it (#m<pk>-form), for browsers that do not scroll to a focused field."""
    for name in form.fields:
        if name in form.errors:
            form.fields[name].widget.attrs["autofocus"] = True
            return


def _congress_page(request: HttpRequest, congress: Congress, *, failed: tuple[int, MilestoneForm] | None = None,
                   status: int = 200) -> HttpResponse:
    can_edit = Congress.objects.editable_by(request.user).filter(pk=congress.pk).exists()
    milestones = list(congress.milestones.select_related("step", "updated_by").order_by("step__order"))
    today = _today()
    for milestone in milestones:
        milestone.overdue = milestone.is_overdue(today)
        if failed and failed[0] == milestone.pk:
            milestone.form = failed[1]
        elif can_edit:
            milestone.form = MilestoneForm(
                prefix=f"m{milestone.pk}",
                initial={
                    "status": milestone.status, "done_on": milestone.done_on or today,
                    "evidence_number": milestone.evidence_number, "note": milestone.note,
                },
            )
    done = sum(1 for m in milestones if m.is_done)
    prefetch_related_objects([congress.term], "level_deadlines")  # read by the deadline and the warnings
    deadline = congress.term.deadline_for(congress.unit.level)
    context = {
        "deadline": Deadline(congress.unit.level, deadline, today) if deadline else None,
        "congress": congress,
        "unit": congress.unit,
        "ancestors": mark_in_scope(list(Unit.objects.ancestors_of(congress.unit)), request.user),
        "milestones": milestones,
        "steps_done": done,
        "steps_total": len(milestones),
        "can_edit": can_edit,
        "warnings": congress_warnings(congress),
        "history": congress_history(congress),
        "subcommittees": subcommittees_of(congress),
    }
    return render(request, "congresses/congress_detail.html", context, status=status)


def _visible_congress(request: HttpRequest, pk: int) -> Congress:
    return get_object_or_404(
        Congress.objects.visible_to(request.user).select_related("unit", "term", "updated_by"), pk=pk
    )


@login_required
def my_unit(request: HttpRequest) -> HttpResponse:
    """A secretary's own unit: its congress in the current term and the checklist. A
    secretary of several units gets the list of them, each with its congress."""
    unit_ids = request.user.scope.my_unit_ids
    if not unit_ids:
        raise Http404
    terms = current_terms()
    # Each unit's congress in the term current for its level (cells may be on a shorter term).
    mine = Congress.objects.filter(terms.q("term", "unit__level"), unit_id__in=unit_ids)
    if len(unit_ids) > 1:
        units = Unit.objects.filter(pk__in=unit_ids).order_by("path")
        congresses = {c.unit_id: c for c in mine}
        rows = [(unit, congresses.get(unit.pk)) for unit in units]
        return render(request, "congresses/my_units.html", {"rows": rows, "term": terms.primary})
    congress = mine.select_related("unit", "term").first()
    if congress is None:
        return redirect("committees:unit_detail", pk=unit_ids[0])
    return _congress_page(request, congress)


@login_required
def congress_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _congress_page(request, _visible_congress(request, pk))


@login_required
def congress_edit(request: HttpRequest, pk: int) -> HttpResponse:
    congress = get_object_or_404(Congress.objects.editable_by(request.user).select_related("unit", "term"), pk=pk)
    if request.method == "POST":
        form = CongressForm(request.POST, instance=Congress.objects.get(pk=pk))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                change = services.congress_update(congress=congress, user=request.user, data=data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The congress has been saved."))
                if change.rescheduled:
                    messages.info(
                        request,
                        ngettext(
                            "%(n)d due date was moved with the congress date.",
                            "%(n)d due dates were moved with the congress date.",
                            change.rescheduled,
                        ) % {"n": change.rescheduled},
                    )
                for warning in change.warnings:
                    messages.warning(request, warning)
                return redirect(congress)
    else:
        form = CongressForm(instance=congress)
    return render(request, "congresses/congress_form.html", {"form": form, "congress": congress, "unit": congress.unit})


@login_required
def congress_start(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Open the current term's congress of a unit the user may edit."""
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=unit_pk)
    user = request.user
    if not user.scope.can_edit(unit):
        raise Http404
    if request.method != "POST":  # after the scope check: out of scope is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    term = current_term(unit.level)  # congress_create refuses a term not covering the level
    if term is None:
        messages.error(request, _("No term has been set up yet."))
        return redirect(unit)
    existing = Congress.objects.filter(unit=unit, term=term).first()
    if existing:
        return redirect(existing)
    change = services.congress_create(unit=unit, term=term, user=user)
    messages.success(request, _("The congress has been opened with its plan's milestones."))
    return redirect(change.congress)


@login_required
def milestone_update(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(
        Milestone.objects.editable_by(request.user).select_related("congress__unit", "congress__term", "step"), pk=pk
    )
    if request.method != "POST":  # after the scope check: out of scope is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    form = MilestoneForm(request.POST, request.FILES, prefix=f"m{milestone.pk}")
    if form.is_valid():
        try:
            services.milestone_update(
                milestone=milestone, user=request.user, status=form.cleaned_data["status"],
                done_on=form.cleaned_data["done_on"], evidence_number=form.cleaned_data["evidence_number"],
                evidence_file=form.cleaned_data["evidence_file"] or None, note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("“%(step)s” has been saved.") % {"step": milestone.step.title})
            return redirect(f"{milestone.congress.get_absolute_url()}#milestone-{milestone.pk}")
    messages.error(request, _("The step was not saved: please correct the errors below."))
    focus_first_error(form)
    return _congress_page(request, milestone.congress, failed=(milestone.pk, form), status=400)


@login_required
def milestone_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence files are served only through this scope check, never from a public URL."""
    milestone = get_object_or_404(Milestone.objects.visible_to(request.user), pk=pk)
    if not milestone.evidence_file:
        raise Http404
    try:
        handle = milestone.evidence_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=milestone.evidence_file.name.rsplit("/", 1)[-1])


@login_required
def unit_pilots(request: HttpRequest, pk: int) -> HttpResponse:
    """The superior unit's page where its secretary chooses which direct subordinates hold
    pilot congresses (issue 9, point 11). Only for a user who edits the unit (its secretary,
    an administrator): anyone else gets a 404, as for a page that does not exist."""
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    if not request.user.scope.can_edit(unit):
        raise Http404
    units = services.pilot_candidates(unit)
    terms = current_terms()
    if request.method == "POST":
        form = PilotsForm(request.POST, units=units)
        if form.is_valid():
            try:
                change = services.pilots_choose(superior=unit, unit_ids=form.cleaned_data["pilots"], user=request.user)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, ngettext(
                    "The pilot congresses have been saved: %(n)d congress changed.",
                    "The pilot congresses have been saved: %(n)d congresses changed.",
                    change.changed,
                ) % {"n": change.changed})
                if change.opened:
                    messages.info(request, ngettext(
                        "%(n)d congress was opened to be marked as a pilot.",
                        "%(n)d congresses were opened to be marked as pilots.",
                        change.opened,
                    ) % {"n": change.opened})
                return redirect("congresses:unit_pilots", pk=unit.pk)
    else:
        form = None
    # One query for the congresses of all subordinates, each in the term of its level.
    congresses = Congress.objects.filter(terms.q("term", "unit__level"), unit__in=units)
    congress_of = {c.unit_id: c for c in congresses}
    chosen = (
        {int(pk) for pk in request.POST.getlist("pilots") if pk.isdecimal()} if form is not None
        else {unit_id for unit_id, c in congress_of.items() if c.is_pilot}
    )
    rows = [(u, congress_of.get(u.pk), u.pk in chosen) for u in units]
    if form is None:
        form = PilotsForm(units=units, initial={"pilots": sorted(chosen)})
    return render(request, "congresses/unit_pilots.html", {
        "unit": unit, "rows": rows, "form": form, "pilots": sum(1 for _u, _c, on in rows if on),
        "ancestors": mark_in_scope(list(Unit.objects.ancestors_of(unit)), request.user),
    })


# ---------------------------------------------------------------------------------------
# Subcommittees (issue 11, point 7): entered by whoever edits the unit (its secretary), on
# a page reached from the congress page, which shows them to every reader.


# The services name the head "head"; the form asks for "head_name".
_SUBCOMMITTEE_FIELDS = {"head": "head_name"}


@login_required
def congress_subcommittees(request: HttpRequest, pk: int) -> HttpResponse:
    """The congress's subcommittees, and the form that adds one."""
    congress = get_object_or_404(Congress.objects.editable_by(request.user).select_related("unit", "term"), pk=pk)
    if request.method == "POST":
        form = SubcommitteeForm(request.POST)
        if form.is_valid():
            try:
                subcommittee = services.subcommittee_create(congress=congress, user=request.user,
                                                            **form.service_kwargs())
            except ValidationError as exc:
                add_service_errors(form, exc, fields=_SUBCOMMITTEE_FIELDS)
            else:
                messages.success(request, _("The subcommittee “%(name)s” has been set up.") % {
                    "name": subcommittee.title})
                return redirect("congresses:congress_subcommittees", pk=congress.pk)
    else:
        form = SubcommitteeForm(initial={"decision_date": _today()})
    return render(request, "congresses/subcommittees.html", {
        "congress": congress, "unit": congress.unit, "form": form,
        "subcommittees": subcommittees_of(congress),
        "ancestors": mark_in_scope(list(Unit.objects.ancestors_of(congress.unit)), request.user),
    }, status=400 if request.method == "POST" else 200)


@login_required
def subcommittee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    subcommittee = get_object_or_404(
        Subcommittee.objects.editable_by(request.user).select_related("congress__unit", "congress__term"), pk=pk)
    congress = subcommittee.congress
    if request.method == "POST":
        form = SubcommitteeForm(request.POST)
        if form.is_valid():
            try:
                services.subcommittee_update(subcommittee=subcommittee, user=request.user, **form.service_kwargs())
            except ValidationError as exc:
                add_service_errors(form, exc, fields=_SUBCOMMITTEE_FIELDS)
            else:
                messages.success(request, _("The subcommittee has been saved."))
                return redirect("congresses:congress_subcommittees", pk=congress.pk)
    else:
        form = SubcommitteeForm(initial=SubcommitteeForm.initial_for(subcommittee))
    return render(request, "congresses/subcommittee_form.html", {
        "congress": congress, "unit": congress.unit, "form": form, "subcommittee": subcommittee,
    }, status=400 if request.method == "POST" else 200)


@login_required
def subcommittee_delete(request: HttpRequest, pk: int) -> HttpResponse:
    subcommittee = get_object_or_404(Subcommittee.objects.editable_by(request.user), pk=pk)
    if request.method != "POST":  # after the scope check: out of scope is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    services.subcommittee_delete(subcommittee=subcommittee, user=request.user)
    messages.success(request, _("The subcommittee “%(name)s” has been removed.") % {"name": subcommittee.title})
    return redirect("congresses:congress_subcommittees", pk=subcommittee.congress_id)
