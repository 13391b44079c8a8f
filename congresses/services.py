"""Writes to congresses and milestones. Views, admin actions, commands and the demo loader
call these; they never save these models themselves, so the audit history, the due dates
and the link between a congress and its milestones stay right."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from committees.models import Unit

from . import rules
from .models import (
    Congress,
    Milestone,
    MilestoneStatus,
    PlanStep,
    StepEffect,
    Term,
)
from .progress import CongressDelta, MilestoneState, apply_changes, congress_dated, congress_flags, track_congress
from .selectors import congress_warnings

CONGRESS_FIELDS = (
    "ordinal", "planned_date", "registered_on", "held_on", "is_pilot", "status",
    "executive_seats_elected", "secretary_elected_directly", "secretary_vote_share", "note",
)


@dataclass
class CongressChange:
    congress: Congress
    warnings: list[str] = field(default_factory=list)
    rescheduled: int = 0


def _save_with_history(obj, user, update_fields=None) -> None:
    # simple_history takes the user from the request in views; commands and tasks have
    # none, so the service names it explicitly.
    obj._history_user = user
    obj.updated_by = user
    obj.save() if update_fields is None else obj.save(update_fields=[*update_fields, "updated_by", "updated_at"])


@transaction.atomic
def congress_create(
    *, unit: Unit, term: Term, user=None, planned_date: dt.date | None = None,
    is_pilot: bool = False, ordinal: int | None = None, registered_on: dt.date | None = None,
) -> CongressChange:
    """Create a unit's congress for a term and one milestone per plan step of its level.

    Steps: validate the congress (one per unit per term); save it; create its milestones
    with due dates computed from each step's rule and the congress date.
    """
    congress = Congress(
        unit=unit, term=term, planned_date=planned_date, is_pilot=is_pilot, ordinal=ordinal,
        registered_on=registered_on, updated_by=user,
    )
    if error := rules.term_error(term, unit):
        raise ValidationError({"term": error})
    congress.full_clean()
    with track_congress(None) as tracker:
        _save_with_history(congress, user)
        tracker.track(congress.pk)
        milestones = rules.new_milestones(congress, rules.steps_for(list(term.steps.all()), unit.level))
        for milestone in milestones:
            milestone.updated_by = user
        bulk_create_with_history(milestones, Milestone, default_user=user)
    return CongressChange(congress=congress, warnings=congress_warnings(congress))


@transaction.atomic
def congress_update(*, congress: Congress, user, data: dict) -> CongressChange:
    """Change a congress's dates, status or results.

    Steps: lock the row; apply and validate the fields; if the congress date moved,
    recompute the due dates of the unfinished milestones whose rule is relative to it;
    keep the "register" and "hold" milestones in step with the dates; return the
    warnings (bottom-up order, level deadline), which inform but never block.
    """
    congress = Congress.objects.select_for_update().select_related("unit", "term").get(pk=congress.pk)
    unknown = set(data) - set(CONGRESS_FIELDS)
    if unknown:
        raise ValueError(f"Unknown congress fields: {sorted(unknown)}")
    old_date = congress.planned_date
    for name, value in data.items():
        setattr(congress, name, value)
    error = rules.settle_status(congress)
    if error:
        raise ValidationError({"held_on": error})
    congress.full_clean()
    change = CongressChange(congress=congress)
    with track_congress(congress.pk):
        _save_with_history(congress, user)
        if congress.planned_date != old_date:
            change.rescheduled = _reschedule(congress, user)
        _sync_milestones_from_congress(congress, user)
    change.warnings = congress_warnings(congress)
    return change


def _reschedule(congress: Congress, user) -> int:
    """Recompute the due dates of unfinished milestones relative to the congress date."""
    changed = []
    for milestone in congress.milestones.select_related("step").exclude(status=MilestoneStatus.DONE):
        if not milestone.step.is_relative:
            continue
        due = milestone.step.compute_due(congress.planned_date)
        if due != milestone.due_date:
            milestone.due_date = due
            _save_with_history(milestone, user, update_fields=["due_date"])
            changed.append(milestone)
    return len(changed)


def _sync_milestones_from_congress(congress: Congress, user) -> None:
    for milestone in congress.milestones.select_related("step").filter(
        step__effect__in=[StepEffect.REGISTER, StepEffect.HOLD]
    ):
        if rules.milestone_follows_congress(milestone, congress):
            _save_with_history(milestone, user, update_fields=["status", "done_on"])


def _sync_congress_from_milestone(milestone: Milestone, user) -> None:
    if not milestone.step.effect:
        return
    congress = Congress.objects.select_for_update(of=("self",)).select_related("term").get(pk=milestone.congress_id)
    if rules.congress_follows_milestone(congress, milestone):
        # The date goes onto the congress: it must be a date the congress may have (after
        # its date registered, inside its term). Only the date rules: an older mistake in
        # another field of the congress is not this tick's business.
        if errors := congress.date_errors():
            raise ValidationError({"done_on": list(errors.values())})
        _save_with_history(congress, user)


@transaction.atomic
def milestone_update(
    *, milestone: Milestone, user, status: str, done_on: dt.date | None = None,
    evidence_number: str | None = None, evidence_file=None, note: str | None = None,
) -> Milestone:
    """Record progress on a milestone: its status, the date done, the evidence, a note.

    Marking it done needs the date; reopening it clears the date. A "register" or "hold"
    step writes the same date onto the congress.
    """
    # The term comes along for the date rules of clean(); it is not locked (every tick
    # would wait for every other).
    milestone = (Milestone.objects.select_for_update(of=("self", "step", "congress"))
                 .select_related("step", "congress__term").get(pk=milestone.pk))
    rules.apply_milestone_progress(milestone, status=status, done_on=done_on, evidence_number=evidence_number, note=note)
    if evidence_file is not None:
        milestone.evidence_file = evidence_file
    # The congress, the step and the uniqueness of the pair do not change here: validating
    # them would cost a query each on every tick. The fields that change are validated, and
    # clean() holds the done/date rule of the check constraint.
    milestone.full_clean(exclude=["congress", "step", "updated_by"], validate_unique=False, validate_constraints=False)
    with track_congress(milestone.congress_id):
        _save_with_history(milestone, user)
        _sync_congress_from_milestone(milestone, user)
    return milestone


@transaction.atomic
def congress_delete(*, congress: Congress, user) -> None:
    """Delete a congress with its milestones (a congress opened by mistake), keeping the
    roll-ups: its figures leave every ancestor, and its parent's bottom-up flag is
    recomputed. The history keeps a row for the congress and each milestone."""
    congress = Congress.objects.select_for_update().get(pk=congress.pk)
    with track_congress(congress.pk):
        for milestone in congress.milestones.all():
            milestone._history_user = user
            milestone.delete()
        congress._history_user = user
        congress.delete()


@transaction.atomic
def milestone_delete(*, milestone: Milestone, user) -> None:
    """Delete one milestone (a step that does not apply to this congress), keeping the
    roll-ups."""
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    with track_congress(milestone.congress_id):
        milestone._history_user = user
        milestone.delete()


def milestone_complete(*, milestone: Milestone, user, done_on: dt.date, evidence_number: str = "") -> Milestone:
    return milestone_update(
        milestone=milestone, user=user, status=MilestoneStatus.DONE, done_on=done_on,
        evidence_number=evidence_number,
    )


@transaction.atomic
def plan_apply_default(*, term: Term) -> list[PlanStep]:
    """Give a term the default plan (congresses.default_plan), in the active language.
    Steps the term already has (by code) are left as they are."""
    from .default_plan import DEFAULT_STEPS
    from .models import DueRule

    existing = set(term.steps.values_list("code", flat=True))
    created = []
    for order, (code, title, levels, offset, effect) in enumerate(DEFAULT_STEPS, start=1):
        if code in existing:
            continue
        step = PlanStep(
            term=term, code=code, title=_(title), order=order * 10, levels=levels,
            due_rule=DueRule.BEFORE if offset <= 0 else DueRule.AFTER, offset_days=abs(offset),
            effect=effect,
        )
        step.full_clean()
        step.save()
        created.append(step)
    return created


# ---------------------------------------------------------------------------------------
# Bulk writes, for loaders (the demo data, large imports). The same rules as the
# one-at-a-time services above (validation, due dates, the register/hold links, a history
# row per change naming who made it, the roll-ups), in a few statements instead of a few
# per object.


@dataclass
class CongressSpec:
    """One congress to create with `congresses_bulk_create`."""

    unit: Unit
    planned_date: dt.date | None = None
    is_pilot: bool = False
    ordinal: int | None = None
    registered_on: dt.date | None = None


@dataclass
class MilestoneProgress:
    """Progress on one milestone for `congresses_bulk_progress`, as `milestone_update`
    takes it. `user` and `at` say who made the change and when (default: the call's user,
    now); they go on the history row."""

    milestone_id: int
    status: str
    done_on: dt.date | None = None
    evidence_number: str | None = None
    note: str | None = None
    user: object = None
    at: dt.datetime | None = None


@dataclass
class CongressProgress:
    """A change to one congress for `congresses_bulk_progress`, as `congress_update` takes
    it (any of CONGRESS_FIELDS but the congress date, which `congress_update` moves with
    its milestones)."""

    congress_id: int
    data: dict
    user: object = None
    at: dt.datetime | None = None


_BULK_BATCH = 500
_CONGRESS_TRACKED = CONGRESS_FIELDS
_MILESTONE_TRACKED = ("status", "done_on", "evidence_number", "note")
_FK_FIELDS = ["unit", "term", "congress", "step", "updated_by"]


def _chunks(items: list, size: int = _BULK_BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _check(obj, label: str, errors: list[str]) -> None:
    # Field and model validation without the per-row queries of full_clean (foreign keys
    # and uniqueness are checked for the whole batch by the callers). Each message names
    # its field: a loader's report has no form to put it next to.
    found = {}
    for step in (lambda: obj.clean_fields(exclude=_FK_FIELDS), obj.clean):
        try:
            step()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                found.setdefault(name, messages)
    if found:
        errors.append(f"{label}: " + "; ".join(
            message if name == NON_FIELD_ERRORS else f"{obj._meta.get_field(name).verbose_name}: {message}"
            for name, messages in found.items() for message in messages
        ))


def _update_rows(model, objs: list, names: list[str], user) -> None:
    """UPDATE each object's row with its values of `names`, one prepared statement run for
    all (Django's bulk_update builds a CASE per column and row, far slower), then one
    history row per object."""
    from django.db import connection
    from simple_history.utils import get_history_manager_for_model

    if not objs:
        return
    fields_ = [model._meta.get_field(n) for n in names]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(model._meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields_),
        quote(model._meta.pk.column),
    )
    params = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields_] + [obj.pk] for obj in objs
    ]
    with connection.cursor() as cursor:
        raw = getattr(cursor, "cursor", None)
        if type(raw).__module__.startswith("psycopg2"):
            # psycopg2 sends an executemany row by row; execute_batch sends pages of them.
            from psycopg2.extras import execute_batch

            execute_batch(raw, sql, params, page_size=500)
        else:
            for chunk in _chunks(params, 2000):
                cursor.executemany(sql, chunk)
    get_history_manager_for_model(model).bulk_history_create(objs, batch_size=_BULK_BATCH, update=True, default_user=user)


def _stamp(obj, user, at: dt.datetime | None) -> None:
    obj.updated_by = user
    obj._history_user = user
    if at is not None:
        obj._history_date = at


@transaction.atomic
def congresses_bulk_create(
    *, term: Term, specs, user=None, at: dt.datetime | None = None,
) -> list[Congress]:
    """Create many congresses of a term, each with one milestone per plan step of its
    level, as `congress_create` does for one.

    Steps: validate every spec (one congress per unit per term, field values); insert the
    congresses and their history rows; insert the milestones (due dates from each step's
    rule, the "register" milestone done when the date is registered) and their history
    rows; add everything to the roll-ups. `at` dates the history rows (default: now).
    All or nothing: any bad spec raises ValidationError naming every bad unit.
    """
    specs = list(specs)
    errors: list[str] = []
    taken = set(Congress.objects.filter(term=term).values_list("unit_id", flat=True))
    seen: set[int] = set()
    congresses = []
    for spec in specs:
        unit = spec.unit
        if unit.pk in taken:
            errors.append(f"{unit.code}: " + _("this unit already has a congress in this term"))
        elif unit.pk in seen:
            errors.append(f"{unit.code}: " + _("this unit appears twice"))
        seen.add(unit.pk)
        if error := rules.term_error(term, unit):
            errors.append(f"{unit.code}: {error}")
        congress = Congress(
            unit=unit, term=term, planned_date=spec.planned_date, is_pilot=spec.is_pilot,
            ordinal=spec.ordinal, registered_on=spec.registered_on, updated_by=user,
        )
        _check(congress, unit.code, errors)
        congresses.append(congress)
    if errors:
        raise ValidationError(errors)
    if not congresses:
        return []
    for congress in congresses:
        _stamp(congress, user, at)
    congresses = bulk_create_with_history(congresses, Congress, batch_size=_BULK_BATCH, default_user=user, default_date=at)

    steps_of: dict[str, list[PlanStep]] = {}
    all_steps = list(term.steps.all())
    milestones_of: dict[int, list[Milestone]] = {}
    for congress in congresses:
        level = congress.unit.level
        if level not in steps_of:
            steps_of[level] = rules.steps_for(all_steps, level)
        milestones_of[congress.pk] = rules.new_milestones(congress, steps_of[level])
        for milestone in milestones_of[congress.pk]:
            _stamp(milestone, user, at)
    milestones = [m for own in milestones_of.values() for m in own]
    bulk_create_with_history(milestones, Milestone, batch_size=_BULK_BATCH, default_user=user, default_date=at)

    apply_changes(
        CongressDelta(congress.unit, term.pk, None, congress_flags(congress),
                      [(None, MilestoneState.of(m)) for m in milestones_of[congress.pk]],
                      None, congress_dated(congress))
        for congress in congresses
    )
    return congresses


@transaction.atomic
def congresses_bulk_progress(*, congresses=(), milestones=(), user=None) -> tuple[int, int]:
    """Record progress on many congresses and milestones at once, as `milestone_update`
    and `congress_update` do one at a time. Returns how many congresses and milestones
    changed.

    Steps: load the congresses concerned and all their milestones; apply the milestone
    changes (a "register" or "hold" milestone writes its date onto the congress); apply
    the congress changes (the congress wins: its dates are written back onto those
    milestones); validate everything; write the rows that changed with one history row
    each (by the entry's user, dated `at`); update the roll-ups. All or nothing.
    """
    from django.utils import timezone

    congress_entries, milestone_entries = list(congresses), list(milestones)
    for entry in congress_entries:
        unknown = set(entry.data) - set(CONGRESS_FIELDS)
        if unknown:
            raise ValueError(f"Unknown congress fields: {sorted(unknown)}")
        if "planned_date" in entry.data:
            raise ValueError("Move a congress date with congress_update, which reschedules the milestones.")
    if len({e.milestone_id for e in milestone_entries}) != len(milestone_entries):
        raise ValueError("A milestone appears twice.")
    if len({e.congress_id for e in congress_entries}) != len(congress_entries):
        raise ValueError("A congress appears twice.")

    # Load: the milestones named, their congresses and the congresses named, with every
    # milestone of those congresses (the register/hold links may touch any of them).
    congress_ids = {e.congress_id for e in congress_entries}
    for chunk in _chunks([e.milestone_id for e in milestone_entries]):
        congress_ids.update(Milestone.objects.filter(pk__in=chunk).values_list("congress_id", flat=True))
    by_congress: dict[int, Congress] = {}
    by_milestone: dict[int, Milestone] = {}
    for chunk in _chunks(sorted(congress_ids)):
        for congress in Congress.objects.select_for_update(of=("self",)).select_related("unit", "term").filter(
                pk__in=chunk):
            congress._ms = []
            by_congress[congress.pk] = congress
        for milestone in Milestone.objects.select_for_update(of=("self",)).select_related("step").filter(congress_id__in=chunk):
            milestone.congress = by_congress[milestone.congress_id]
            milestone.congress._ms.append(milestone)
            by_milestone[milestone.pk] = milestone
    missing = [e.milestone_id for e in milestone_entries if e.milestone_id not in by_milestone]
    missing += [e.congress_id for e in congress_entries if e.congress_id not in by_congress]
    if missing:
        raise ValueError(f"Unknown ids: {missing[:10]}")

    def fields(obj, names):
        return tuple(getattr(obj, n) for n in names)

    before_c = {pk: (fields(c, _CONGRESS_TRACKED), congress_flags(c), congress_dated(c))
                for pk, c in by_congress.items()}
    before_m = {pk: (fields(m, _MILESTONE_TRACKED), MilestoneState.of(m)) for pk, m in by_milestone.items()}
    who: dict[tuple[str, int], tuple] = {}  # ("c"|"m", pk) -> (user, at) of the change

    # Milestones, then what a register/hold milestone says about its congress.
    for entry in milestone_entries:
        m = by_milestone[entry.milestone_id]
        rules.apply_milestone_progress(m, status=entry.status, done_on=entry.done_on,
                                       evidence_number=entry.evidence_number, note=entry.note)
        who[("m", m.pk)] = (entry.user or user, entry.at)
        if m.step.effect:
            rules.congress_follows_milestone(m.congress, m)
            who.setdefault(("c", m.congress.pk), who[("m", m.pk)])

    # Congresses, then their dates written back onto the register/hold milestones.
    errors: list[str] = []
    for entry in congress_entries:
        c = by_congress[entry.congress_id]
        for name, value in entry.data.items():
            setattr(c, name, value)
        error = rules.settle_status(c)
        if error:
            errors.append(f"{c.unit.code}: {error}")
        who[("c", c.pk)] = (entry.user or user, entry.at)
    for c in by_congress.values():
        for m in c._ms:
            if not rules.milestone_follows_congress(m, c):
                continue
            who.setdefault(("m", m.pk), who.get(("c", c.pk), (user, None)))

    # Validate and write what changed.
    now = timezone.now()
    changed_c, changed_m = [], []
    for pk, c in by_congress.items():
        if ("c", pk) not in who:
            continue
        _check(c, c.unit.code, errors)
        acting, at = who[("c", pk)]
        if fields(c, _CONGRESS_TRACKED) != before_c[pk][0]:
            _stamp(c, acting, at)
            c.updated_at = now
            changed_c.append(c)
    for pk, m in by_milestone.items():
        if ("m", pk) not in who:
            continue
        _check(m, f"{m.congress.unit.code} / {m.step.code}", errors)
        acting, at = who[("m", pk)]
        if fields(m, _MILESTONE_TRACKED) != before_m[pk][0]:
            _stamp(m, acting, at)
            m.updated_at = now
            changed_m.append(m)
    if errors:
        raise ValidationError(errors)
    _update_rows(Congress, changed_c, [*CONGRESS_FIELDS, "updated_by", "updated_at"], user)
    _update_rows(Milestone, changed_m, [*_MILESTONE_TRACKED, "updated_by", "updated_at"], user)

    apply_changes(
        CongressDelta(c.unit, c.term_id, before_c[pk][1], congress_flags(c),
                      [(before_m[m.pk][1], state) for m in c._ms if (state := MilestoneState.of(m)) != before_m[m.pk][1]],
                      before_c[pk][2], congress_dated(c))
        for pk, c in by_congress.items()
    )
    return len(changed_c), len(changed_m)


# ---------------------------------------------------------------------------------------
# The superior's choices about its subordinates' congresses.


@dataclass
class PilotsChange:
    """What `pilots_choose` did: congresses marked and unmarked as pilots, and how many of
    the marked ones it opened (a subordinate that had no congress in its term yet)."""

    marked: int = 0
    unmarked: int = 0
    opened: int = 0

    @property
    def changed(self) -> int:
        return self.marked + self.unmarked


def pilot_candidates(superior: Unit) -> list[Unit]:
    """The units whose pilot congress `superior` chooses: its active direct subordinates."""
    return list(Unit.objects.filter(parent=superior, is_active=True).order_by("name", "pk"))


@transaction.atomic
def pilots_choose(*, superior: Unit, unit_ids, user) -> PilotsChange:
    """The superior unit chooses which of its direct subordinates hold pilot congresses
    (đại hội điểm; seed 001: the bloc chose its three). The subordinate's own form no longer
    has the field, so only the superior (or an administrator) changes it.

    Steps: check that the user edits the superior and that every chosen unit is one of its
    active direct subordinates; open, as pilots, the congresses of chosen units that have
    none yet in the term current for their level (`congresses_bulk_create`); mark and
    unmark the others (`congresses_bulk_progress`). Both keep the history (by `user`) and
    the roll-ups (pilots, pilots held, the calendar's pilots) in this transaction.
    """
    from .selectors import current_terms

    if user is not None and not user.scope.can_edit(superior):
        raise PermissionDenied
    candidates = pilot_candidates(superior)
    chosen = {int(pk) for pk in unit_ids}
    strangers = chosen - {u.pk for u in candidates}
    if strangers:
        raise ValidationError({"unit_ids": _("Only the direct subordinates of %(unit)s can be chosen.")
                               % {"unit": superior.name}})
    terms = current_terms()
    congress_of = {
        (c.unit_id, c.term_id): c
        for c in Congress.objects.filter(unit__in=candidates).only("pk", "unit_id", "term_id", "is_pilot")
    }
    change = PilotsChange()
    entries: list[CongressProgress] = []
    to_open: dict[int, tuple[Term, list[CongressSpec]]] = {}
    for unit in candidates:
        wanted = unit.pk in chosen
        term = terms.for_level(unit.level)
        congress = congress_of.get((unit.pk, term.pk)) if term is not None else None
        if congress is None:
            if not wanted:
                continue
            if term is None:
                raise ValidationError({"unit_ids": _("No current term covers the level of %(unit)s.")
                                       % {"unit": unit.name}})
            to_open.setdefault(term.pk, (term, []))[1].append(CongressSpec(unit=unit, is_pilot=True))
            change.marked += 1
            change.opened += 1
        elif congress.is_pilot != wanted:
            entries.append(CongressProgress(congress_id=congress.pk, data={"is_pilot": wanted}, user=user))
            if wanted:
                change.marked += 1
            else:
                change.unmarked += 1
    for term, specs in to_open.values():
        congresses_bulk_create(term=term, specs=specs, user=user)
    if entries:
        congresses_bulk_progress(congresses=entries, user=user)
    return change
