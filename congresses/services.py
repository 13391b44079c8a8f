"""Writes to congresses and milestones. Views, admin actions, commands and the demo loader
call these; they never save these models themselves, so the audit history, the due dates
and the link between a congress and its milestones stay right."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError

from core import files
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from committees.models import Level, Unit

from . import progress, rules
from .models import (
    Congress,
    DueRule,
    LevelDeadline,
    Milestone,
    MilestoneStatus,
    PlanSource,
    PlanStep,
    StepEffect,
    Subcommittee,
    SubcommitteeKind,
    SubcommitteeMember,
    SubcommitteeRole,
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
        # By its content, whatever its name says (core.files); the file it replaces leaves
        # the storage once this commits.
        try:
            files.check_upload(evidence_file)
        except ValidationError as exc:
            raise ValidationError({"evidence_file": exc.messages}) from exc
        files.delete_replaced(milestone, "evidence_file")
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
    recomputed. The history keeps a row for the congress, each milestone and each
    subcommittee (which go first: they protect the congress)."""
    congress = Congress.objects.select_for_update(of=("self",)).select_related("unit").get(pk=congress.pk)
    if congress.documents.exists():
        # Congress documents keep their versions and comment rounds (documents app).
        raise ValidationError(_("A congress with documents cannot be deleted."))
    subcommittees = list(congress.subcommittees.all())
    if subcommittees:
        _subcommittees_remove(subcommittees, user)
        progress.subcommittees_changed(congress.unit, congress.term_id, True, False)
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
def plan_apply_default(*, term: Term, user=None) -> list[PlanStep]:
    """Give a term the default plan (congresses.default_plan), in the active language.
    Steps the term already has (by code) are left as they are. Each step goes through
    `plan_step_add`, so congresses already opened in the term get its milestones."""
    from .default_plan import DEFAULT_STEPS

    existing = set(term.steps.values_list("code", flat=True))
    created = []
    for order, (code, title, levels, offset, effect) in enumerate(DEFAULT_STEPS, start=1):
        if code in existing:
            continue
        change = plan_step_add(
            term=term, user=user, code=code, title=_(title), order=order * 10, levels=list(levels),
            due_rule=DueRule.BEFORE if offset <= 0 else DueRule.AFTER, offset_days=abs(offset), effect=effect,
        )
        created.append(change.step)
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


# ---------------------------------------------------------------------------------------
# Terms and their plans (issue 9, points 9 and 10). A plan changed after congresses were
# opened reaches them: a step added gives each congress of its levels a milestone, a step
# changed adds, removes or reschedules them, a step removed takes its milestones along;
# all in the transaction that changes the step, with the roll-ups (as the bulk services:
# before/after states handed to `apply_changes`) and a history row per milestone.
#
# One window remains: a congress opened at the very instant a step is added may miss that
# step's milestone (congress_create reads the plan without locking the term; locking it
# would make every congress opened in a term wait for the others). The roll-ups stay
# right either way; taking the level off the step and putting it back gives it the row.

STEP_FIELDS = ("code", "title", "order", "levels", "due_rule", "offset_days", "due_date", "effect")


@dataclass
class PlanChange:
    """What changes to a plan did to the congresses of the term, for the admin's message.
    Several changes (one admin save) merge into one."""

    step: PlanStep | None = None
    congress_ids: set[int] = field(default_factory=set)
    created: int = 0
    rescheduled: int = 0
    removed: int = 0

    @property
    def congresses(self) -> int:
        return len(self.congress_ids)

    def merge(self, other: PlanChange) -> PlanChange:
        self.congress_ids |= other.congress_ids
        self.created += other.created
        self.rescheduled += other.rescheduled
        self.removed += other.removed
        return self


class _MilestoneDeltas:
    """Milestone (before, after) states per congress, applied to the roll-ups at once;
    the congresses themselves do not change (a new register/hold milestone follows its
    congress, never the other way round), so their flags and dates go in unchanged."""

    def __init__(self, change: PlanChange):
        self.change = change
        self.congresses: dict[int, Congress] = {}
        self.pairs: dict[int, list] = {}

    def record(self, congress: Congress, before: MilestoneState | None, after: MilestoneState | None) -> None:
        self.congresses[congress.pk] = congress
        self.pairs.setdefault(congress.pk, []).append((before, after))
        self.change.congress_ids.add(congress.pk)

    def apply(self) -> None:
        def deltas():
            for pk, congress in self.congresses.items():
                flags, dated = congress_flags(congress), congress_dated(congress)
                yield CongressDelta(congress.unit, congress.term_id, flags, flags, self.pairs[pk], dated, dated)

        apply_changes(deltas())


def _congresses_of(term: Term, levels) -> list[Congress]:
    # Locked, so that a congress_update running at the same time snapshots its milestones
    # either before or after this change, never half-way (its track_congress would count
    # them twice).
    return list(
        Congress.objects.select_for_update(of=("self",)).select_related("unit")
        .filter(term=term, unit__level__in=list(levels)).order_by("pk")
    )


def _add_milestones(step: PlanStep, levels, user, deltas: _MilestoneDeltas) -> None:
    """A milestone of `step` for each congress of `levels` in its term that has none."""
    having = set(step.milestones.values_list("congress_id", flat=True))
    milestones = []
    for congress in _congresses_of(step.term, levels):
        if congress.pk in having:
            continue
        (milestone,) = rules.new_milestones(congress, [step])
        # A "register" or "hold" step added late is done where the congress already says so.
        rules.milestone_follows_congress(milestone, congress)
        _stamp(milestone, user, None)
        milestones.append(milestone)
        deltas.record(congress, None, MilestoneState.of(milestone))
    bulk_create_with_history(milestones, Milestone, batch_size=_BULK_BATCH, default_user=user)
    deltas.change.created += len(milestones)


def _remove_milestones(milestones, user, deltas: _MilestoneDeltas) -> None:
    """Delete these milestones one by one, so each leaves a history row naming the user
    (simple_history writes it on delete; a queryset delete would not name anyone)."""
    for milestone in milestones.select_for_update(of=("self",)).select_related("congress__unit"):
        deltas.record(milestone.congress, MilestoneState.of(milestone), None)
        milestone._history_user = user
        milestone.delete()
        deltas.change.removed += 1


def _reschedule_step(step: PlanStep, user, deltas: _MilestoneDeltas) -> None:
    """Recompute the due dates of the step's unfinished milestones from its rule and each
    congress's date; a done milestone keeps the due date it was done against (history)."""
    from django.utils import timezone

    now = timezone.now()
    changed = []
    for milestone in (step.milestones.select_for_update(of=("self",)).select_related("congress__unit")
                      .exclude(status=MilestoneStatus.DONE)):
        due = step.compute_due(milestone.congress.planned_date)
        if due == milestone.due_date:
            continue
        before = MilestoneState.of(milestone)
        milestone.due_date = due
        _stamp(milestone, user, None)
        milestone.updated_at = now
        changed.append(milestone)
        deltas.record(milestone.congress, before, MilestoneState.of(milestone))
    _update_rows(Milestone, changed, ["due_date", "updated_by", "updated_at"], user)
    deltas.change.rescheduled += len(changed)


def _done_message(step: PlanStep, count: int) -> str:
    return ngettext(
        "%(count)d congress has already done the step “%(step)s”: its done milestone is the record "
        "of its work. Confirm that it is removed too.",
        "%(count)d congresses have already done the step “%(step)s”: their done milestones are the "
        "record of their work. Confirm that they are removed too.",
        count,
    ) % {"count": count, "step": step.title}


def plan_step_update_errors(*, step: PlanStep, data: dict, allow_done: bool = False) -> dict[str, str]:
    """Why `plan_step_update` would refuse this change of `step` (as it is in the
    database), by field: the admin's form asks before saving, to show them on the field.

    - The effect of a step that has milestones does not change: a "register" or "hold"
      step and its congresses' dates say the same thing, and turning an ordinary step into
      one (or back) would rewrite or orphan what units recorded. Add a new step instead.
    - Levels taken away remove their congresses' milestones; done ones only with
      `allow_done` (done milestones are history: the date and evidence of work done).
    """
    errors: dict[str, str] = {}
    if "effect" in data and (data["effect"] or "") != step.effect and step.milestones.exists():
        errors["effect"] = _(
            "Congresses already have milestones for this step, so its effect cannot change. "
            "Add a new step with that effect and remove this one."
        )
    removed = set(step.levels or []) - set(data.get("levels", step.levels) or [])
    if removed and not allow_done:
        done = step.milestones.filter(status=MilestoneStatus.DONE, congress__unit__level__in=removed).count()
        if done:
            errors["levels"] = _done_message(step, done)
    return errors


def plan_step_remove_error(*, step: PlanStep, allow_done: bool = False) -> str | None:
    """Why `plan_step_remove` would refuse to remove `step`: it has done milestones and
    the removal of those was not confirmed."""
    if allow_done:
        return None
    done = step.milestones.filter(status=MilestoneStatus.DONE).count()
    return _done_message(step, done) if done else None


@transaction.atomic
def plan_step_add(
    *, term: Term, user, code: str, title: str, levels: list[str], order: int = 0,
    due_rule: str = DueRule.BEFORE, offset_days: int = 0, due_date: dt.date | None = None, effect: str = "",
) -> PlanChange:
    """Add a step to a term's plan.

    Steps: validate and save the step; give every congress already opened in the term at
    one of the step's levels its milestone (due by the step's rule and the congress date;
    a "register"/"hold" milestone done where the congress is registered/held); add them to
    the roll-ups.
    """
    step = PlanStep(term=term, code=code, title=title, order=order, levels=list(levels), due_rule=due_rule,
                    offset_days=offset_days, due_date=due_date, effect=effect or "")
    step.full_clean()
    step.save()
    change = PlanChange(step=step)
    deltas = _MilestoneDeltas(change)
    if step.levels:
        _add_milestones(step, step.levels, user, deltas)
    deltas.apply()
    return change


@transaction.atomic
def plan_step_update(*, step: PlanStep, user, data: dict, allow_done: bool = False) -> PlanChange:
    """Change a step of a term's plan (any of STEP_FIELDS).

    Steps: lock the step; refuse what `plan_step_update_errors` refuses; apply and
    validate; remove the milestones of the levels taken away; recompute the due dates of
    the unfinished milestones if the due rule, the days or the fixed date changed; give
    the congresses of the levels added their milestones; update the roll-ups.
    """
    unknown = set(data) - set(STEP_FIELDS)
    if unknown:
        raise ValueError(f"Unknown plan step fields: {sorted(unknown)}")
    step = PlanStep.objects.select_for_update().select_related("term").get(pk=step.pk)
    if errors := plan_step_update_errors(step=step, data=data, allow_done=allow_done):
        raise ValidationError(errors)
    old_levels = list(step.levels or [])
    old_rule = (step.due_rule, step.offset_days, step.due_date)
    for name, value in data.items():
        setattr(step, name, value)
    step.effect = step.effect or ""
    step.full_clean()
    step.save()
    change = PlanChange(step=step)
    deltas = _MilestoneDeltas(change)
    removed = [lv for lv in old_levels if lv not in step.levels]
    added = [lv for lv in step.levels if lv not in old_levels]
    if removed:
        _remove_milestones(step.milestones.filter(congress__unit__level__in=removed), user, deltas)
    if (step.due_rule, step.offset_days, step.due_date) != old_rule:
        _reschedule_step(step, user, deltas)
    if added:
        _add_milestones(step, added, user, deltas)
    deltas.apply()
    return change


@transaction.atomic
def plan_step_remove(*, step: PlanStep, user, allow_done: bool = False) -> PlanChange:
    """Remove a step from a term's plan with its milestones.

    A step some congresses have done is removed only with `allow_done`: done milestones
    are the record of work done (dates, evidence numbers, files), so removing them is a
    decision the admin confirms, not a side effect. The history keeps a row for each
    milestone removed, naming the user.
    """
    step = PlanStep.objects.select_for_update().get(pk=step.pk)
    if error := plan_step_remove_error(step=step, allow_done=allow_done):
        raise ValidationError(error)
    change = PlanChange()
    deltas = _MilestoneDeltas(change)
    _remove_milestones(step.milestones.all(), user, deltas)
    deltas.apply()
    step.delete()
    return change


@dataclass
class TermStart:
    """What `term_start` did."""

    term: Term
    steps: int = 0
    deadlines: int = 0
    no_longer_current: list[Term] = field(default_factory=list)


def _shift_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def term_start(
    *, name: str, start_year: int, end_year: int, levels: list[str], plan: str,
    copy_from: Term | None = None, make_current: bool, user,
) -> TermStart:
    """Start a new term with its plan, so that an admin never faces an empty plan.

    Steps: validate and save the term (not current yet); give it its plan — the portal's
    default plan, or a copy of `copy_from`'s steps and level deadlines (the levels the new
    term covers), or none; make it current if asked (`term_make_current`: the terms
    current for its levels stop being current for them). All or nothing.

    Copied level deadlines and fixed step dates move by the difference of the start
    years: a plan is laid out around the congress season of its term's first year
    (DOMAIN.md "Term": the 2020–2025 round held its congresses in 2020, the bloc before
    15/08/2020), so the same day in the new term's season is the same point in its cycle
    (15/08/2020 → 15/08/2025). Steps relative to the congress date need no shift. The
    guiding documents are not copied: a new term has its own directive and plan.
    """
    if plan not in PlanSource.values:
        raise ValidationError({"plan": _("Choose where the plan comes from.")})
    if plan == PlanSource.COPY and copy_from is None:
        raise ValidationError({"copy_from": _("Choose the term whose plan to copy.")})
    if plan != PlanSource.COPY and copy_from is not None:
        raise ValidationError({"copy_from": _("A term to copy is only needed to copy its plan.")})
    levels = list(levels or [])
    # In the order of the tree; anything unknown is kept for Term.clean to refuse.
    levels = [lv for lv in Level.values if lv in levels] + [lv for lv in levels if lv not in Level.values]
    term = Term(name=name, start_year=start_year, end_year=end_year, is_current=False, levels=levels)
    term.full_clean()
    term.save()
    result = TermStart(term=term)
    if plan == PlanSource.DEFAULT:
        result.steps = len(plan_apply_default(term=term, user=user))
    elif plan == PlanSource.COPY:
        years = start_year - copy_from.start_year
        for step in copy_from.steps.order_by("order", "code"):
            if not any(term.covers(lv) for lv in step.levels or []):
                continue
            plan_step_add(
                term=term, user=user, code=step.code, title=step.title, order=step.order, levels=list(step.levels),
                due_rule=step.due_rule, offset_days=step.offset_days, effect=step.effect,
                due_date=_shift_years(step.due_date, years) if step.due_date else None,
            )
            result.steps += 1
        for deadline in copy_from.level_deadlines.order_by("level"):
            if not term.covers(deadline.level):
                continue
            copied = LevelDeadline(term=term, level=deadline.level, deadline=_shift_years(deadline.deadline, years))
            copied.full_clean()
            copied.save()
            result.deadlines += 1
    if make_current:
        result.no_longer_current = term_make_current(term=term, user=user)
        term.refresh_from_db()
    return result


@transaction.atomic
def term_make_current(*, term: Term, user) -> list[Term]:
    """Make `term` the current term of the levels it covers. Returns the terms that stop
    being current for some of them.

    At most one term is current for a level (`Term.clean`). A term current for the same
    levels stops being current for them: when it covers nothing else it is no longer
    current at all; when it covers other levels too, it stays current for those and its
    levels shrink to them (the province's 2020–2025 stays current above a new 2020–2022
    for cells). Its congresses keep their term and their history; a term's levels are
    checked only when a congress is opened, and the counts key on the congress's term.
    """
    term = Term.objects.select_for_update().get(pk=term.pk)
    mine = set(term.covered_levels)
    replaced = []
    for other in Term.objects.select_for_update().filter(is_current=True).exclude(pk=term.pk).order_by("pk"):
        theirs = other.covered_levels
        if not mine & set(theirs):
            continue
        rest = [lv for lv in theirs if lv not in mine]
        if rest:
            other.levels = rest
        else:
            other.is_current = False
        other.full_clean()
        other.save()
        replaced.append(other)
    term.is_current = True
    term.full_clean()
    term.save()
    return replaced


# ---------------------------------------------------------------------------------------
# Subcommittees (DOMAIN.md "Subcommittee", issue 11 point 7).

# The plan step that entering subcommittees completes (congresses/default_plan.py).
SUBCOMMITTEES_STEP = "subcommittees"


@dataclass(frozen=True)
class Person:
    """Someone in a subcommittee, by name and position."""

    full_name: str
    position: str = ""


def _set_members(subcommittee: Subcommittee, *, head: Person, members, user) -> None:
    """Replace the subcommittee's people: the head first, then the members in order.
    Each removal and addition is a history row."""
    if not head.full_name.strip():
        raise ValidationError({"head": _("Give the name of the head of the subcommittee.")})
    for old in subcommittee.members.all():
        old._history_user = user
        old.delete()
    people = [(head, SubcommitteeRole.HEAD), *((p, SubcommitteeRole.MEMBER) for p in members if p.full_name.strip())]
    for order, (person, role) in enumerate(people):
        member = SubcommitteeMember(subcommittee=subcommittee, full_name=person.full_name.strip(),
                                    position=person.position.strip(), role=role, order=order)
        member.full_clean()
        member._history_user = user
        member.save()


def _subcommittee_fields(subcommittee: Subcommittee, *, kind: str, name: str, decision_number: str,
                         decision_date: dt.date | None) -> None:
    subcommittee.kind = kind
    subcommittee.name = name.strip() if kind == SubcommitteeKind.OTHER else ""
    subcommittee.decision_number = decision_number.strip()
    subcommittee.decision_date = decision_date


@transaction.atomic
def subcommittee_create(
    *, congress: Congress, user, kind: str, decision_number: str, decision_date: dt.date, head: Person,
    members=(), name: str = "",
) -> Subcommittee:
    """Set up a subcommittee of a congress from the unit's decision.

    1. lock the congress (two secretaries entering the first subcommittee at once would
       both count it); validate the subcommittee, its head and members, and save them
       with history rows;
    2. the congress's first subcommittee sets its subcommittees up: the "subcommittees
       set up" count of every ancestor follows, in this transaction;
    3. the "set up subcommittees" milestone, if the congress has it and it is not done,
       is completed on the decision's date with the decision's number as its evidence,
       through `milestone_update` (its history, the roll-ups of steps and due dates).
    """
    congress = Congress.objects.select_for_update(of=("self",)).select_related("unit", "term").get(pk=congress.pk)
    was_set_up = congress.subcommittees.exists()
    subcommittee = Subcommittee(congress=congress)
    _subcommittee_fields(subcommittee, kind=kind, name=name, decision_number=decision_number,
                         decision_date=decision_date)
    subcommittee.full_clean()
    _save_with_history(subcommittee, user)
    _set_members(subcommittee, head=head, members=members, user=user)
    progress.subcommittees_changed(congress.unit, congress.term_id, was_set_up, True)
    milestone = congress.milestones.filter(step__code=SUBCOMMITTEES_STEP).exclude(status=MilestoneStatus.DONE).first()
    if milestone is not None:
        milestone_update(milestone=milestone, user=user, status=MilestoneStatus.DONE,
                         done_on=subcommittee.decision_date, evidence_number=subcommittee.decision_number)
    return subcommittee


@transaction.atomic
def subcommittee_update(
    *, subcommittee: Subcommittee, user, kind: str, decision_number: str, decision_date: dt.date, head: Person,
    members=(), name: str = "",
) -> Subcommittee:
    """Correct a subcommittee: its kind or name, its decision, its people (replaced as
    given). The congress's subcommittees stay set up, and its milestone as it is."""
    subcommittee = Subcommittee.objects.select_for_update(of=("self",)).select_related("congress__term").get(
        pk=subcommittee.pk)
    _subcommittee_fields(subcommittee, kind=kind, name=name, decision_number=decision_number,
                         decision_date=decision_date)
    subcommittee.full_clean()
    _save_with_history(subcommittee, user)
    _set_members(subcommittee, head=head, members=members, user=user)
    return subcommittee


def _subcommittees_remove(subcommittees, user) -> None:
    for subcommittee in subcommittees:
        for member in subcommittee.members.all():
            member._history_user = user
            member.delete()
        subcommittee._history_user = user
        subcommittee.delete()


@transaction.atomic
def subcommittee_delete(*, subcommittee: Subcommittee, user) -> None:
    """Remove a subcommittee entered by mistake, with its people (history rows kept).

    When it was the congress's last one, the congress no longer counts as having its
    subcommittees set up, and a "set up subcommittees" milestone that this subcommittee's
    decision completed is reopened: the milestone and the count say the same thing.
    """
    subcommittee = Subcommittee.objects.select_related("congress").get(pk=subcommittee.pk)
    congress = Congress.objects.select_for_update(of=("self",)).select_related("unit").get(pk=subcommittee.congress_id)
    _subcommittees_remove([subcommittee], user)
    if congress.subcommittees.exists():
        return
    progress.subcommittees_changed(congress.unit, congress.term_id, True, False)
    milestone = congress.milestones.filter(step__code=SUBCOMMITTEES_STEP, status=MilestoneStatus.DONE,
                                           evidence_number=subcommittee.decision_number).first()
    if milestone is not None:
        milestone_update(milestone=milestone, user=user, status=MilestoneStatus.NOT_STARTED, evidence_number="")
