"""The briefing pack (issue 14, point 8): for a unit and a quarter, the report of its
whole subtree in one click — the dashboard's numbers as of the quarter's end, what changed
since the previous quarter, the units late and why, the quarterly reports filed, the
difficulties and proposals grouped by theme with their answers, and the sections other
apps register (briefings.hooks: the petitions' counts). The print page and the .docx
(briefings.exports) read the same `Pack`.

Which numbers:
- the current quarter: live, from the roll-ups, as of today (the dashboard itself);
- a past quarter with a snapshot (briefings.snapshots): the snapshot, as of its last day;
- a past quarter without one: live numbers, and the pack says so plainly.
"What changed" is this quarter's numbers less the previous quarter's snapshot.

Cost: the dashboard's queries, four for a snapshot, one per section below; the texts are
those of the subtree's submitted reports for the quarter, at most PACK_ROWS_MAX of each
kind listed (the counts per theme are complete). `manage.py bench_briefing` times it at the
root of the national tree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from committees.models import Unit
from congresses.models import Light, PlanStep
from congresses.selectors import CurrentTerms
from dashboards.selectors import ChildRow, Dashboard, Totals, unit_dashboard

from . import hooks, snapshots
from .models import Difficulty, Proposal, QuarterlyReport, ReportStatus, Theme
from .quarters import Quarter

# Texts of difficulties, and of proposals, listed in one pack; the rest are counted.
PACK_ROWS_MAX = 400


class Mode:
    LIVE = "live"  # the current quarter
    SNAPSHOT = "snapshot"  # a past quarter, its snapshot
    NO_SNAPSHOT = "no_snapshot"  # a past quarter without a snapshot: live numbers


@dataclass
class Change:
    label: str
    before: int
    now: int

    @property
    def delta(self) -> int:
        return self.now - self.before

    @property
    def delta_text(self) -> str:
        return f"{self.delta:+d}" if self.delta else "0"


@dataclass
class LateRow:
    unit: Unit
    reasons: list[str]
    difficulties: list[str] = field(default_factory=list)  # the unit's own words this quarter

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


@dataclass
class ThemeGroup:
    theme: str
    label: str
    count: int
    items: list = field(default_factory=list)


@dataclass
class Pack:
    unit: Unit
    quarter: Quarter
    today: dt.date
    mode: str
    as_of: dt.date
    d: Dashboard
    changes: list[Change] | None = None  # None: no previous snapshot to compare with
    late: list[LateRow] = field(default_factory=list)
    children_total: int = 0
    reports_submitted: int = 0
    reports_missing: list[Unit] = field(default_factory=list)
    due_date: dt.date | None = None
    difficulties: list[ThemeGroup] = field(default_factory=list)
    proposals: list[ThemeGroup] = field(default_factory=list)
    difficulties_more: int = 0
    proposals_more: int = 0
    first_sections: list[hooks.PackSection] = field(default_factory=list)
    sections: list[hooks.PackSection] = field(default_factory=list)

    @property
    def live(self) -> bool:
        return self.mode != Mode.SNAPSHOT

    @property
    def numbers_note(self) -> str:
        if self.mode == Mode.SNAPSHOT:
            return _("Numbers as of the end of the quarter (%(date)s), from the quarter-end snapshot.") % {
                "date": self.as_of.strftime("%d/%m/%Y")}
        if self.mode == Mode.NO_SNAPSHOT:
            return _("No snapshot was taken at the end of %(quarter)s: the numbers below are today's "
                     "(%(date)s), not the quarter's.") % {"quarter": self.quarter.label,
                                                           "date": self.today.strftime("%d/%m/%Y")}
        return _("The quarter is not over: numbers as of today (%(date)s).") % {
            "date": self.today.strftime("%d/%m/%Y")}

    @property
    def proposals_total(self) -> int:
        return sum(g.count for g in self.proposals)

    @property
    def proposals_open(self) -> int:
        return sum(1 for g in self.proposals for p in g.items if p.is_open)


# --- Numbers from a snapshot ----------------------------------------------------------------


def _snapshot_totals(snapshot, unit_ids: list[int], terms: CurrentTerms,
                     per_step: dict[int, tuple[int, int]]) -> dict[int, Totals]:
    """`dashboards.selectors._totals_for`, read from the snapshot: each unit below counted
    in the term current for its level (today's terms: the quarter's plan is the term's)."""
    totals: dict[int, Totals] = defaultdict(Totals)
    term_ids = {str(t.pk) for t in terms.terms}
    current = {lv: str(t.pk) for lv in (lv for t in terms.terms for lv in terms.levels_of(t))
               if (t := terms.for_level(lv)) is not None}
    for unit_id, rows in snapshots.read(snapshot, "units", unit_ids).items():
        for keys, values in rows:
            totals[unit_id].units[keys["level"]] = values["units"]
    for unit_id, rows in snapshots.read(snapshot, "congresses", unit_ids).items():
        for keys, values in rows:
            if current.get(keys["level"]) == keys["term"]:
                totals[unit_id].congresses[keys["level"]] = values
    steps = {str(pk) for pk in PlanStep.objects.filter(term_id__in=[t.pk for t in terms.terms]).values_list("pk", flat=True)}
    for unit_id, rows in snapshots.read(snapshot, "steps", unit_ids).items():
        for keys, values in rows:
            if keys["step"] in steps:
                t = totals[unit_id]
                t.steps_total += values["total"]
                t.steps_done += values["done"]
                if unit_id == unit_ids[0]:
                    per_step[int(keys["step"])] = (values["total"], values["done"])
    for unit_id, rows in snapshots.read(snapshot, "open_due", unit_ids).items():
        totals[unit_id].overdue = sum(v["open"] for k, v in rows if k["term"] in term_ids)
    return totals


def _snapshot_dashboard(live: Dashboard, snapshot, end: dt.date) -> Dashboard:
    """The live dashboard's unit and children with the snapshot's numbers: the totals, the
    steps and the children's overdue counts as they were at the quarter's end."""
    from dashboards.selectors import _merge_steps

    unit_ids = [live.unit.pk, *[c.unit.pk for c in live.children]]
    per_step: dict[int, tuple[int, int]] = {}
    totals = _snapshot_totals(snapshot, unit_ids, live.terms, per_step)
    plan = [s.step for s in live.steps]
    all_steps = list(PlanStep.objects.filter(term_id__in=[t.pk for t in live.terms.terms]))
    order = {s.code: i for i, s in enumerate(plan)}
    all_steps.sort(key=lambda s: (order.get(s.code, len(order)), s.order, s.code))
    d = Dashboard(unit=live.unit, terms=live.terms, today=end, ancestors=live.ancestors,
                  totals=totals.get(live.unit.pk, Totals()), steps=_merge_steps(all_steps, per_step), children=[],
                  congress=None, subcommittee_levels=live.subcommittee_levels)
    for row in live.children:
        t = totals.get(row.unit.pk, Totals())
        reasons = []
        if t.overdue:
            reasons.append(ngettext("%(n)d overdue step below at the quarter's end",
                                    "%(n)d overdue steps below at the quarter's end", t.overdue) % {"n": t.overdue})
        d.children.append(ChildRow(unit=row.unit, congress=None, totals=t,
                                   light=Light.LATE if t.overdue else Light.ON_TRACK, reasons=reasons))
    return d


def _changes(now: Totals, before: Totals) -> list[Change]:
    return [
        Change(_("Units below"), before.units_total, now.units_total),
        Change(_("Congress date registered"), before.registered, now.registered),
        Change(_("Congresses held"), before.held, now.held),
        Change(_("Pilot congresses held"), before.pilots_held, now.pilots_held),
        Change(_("Plan steps done"), before.steps_done, now.steps_done),
        Change(_("Overdue steps"), before.overdue, now.overdue),
    ]


# --- Reports, difficulties, proposals ---------------------------------------------------------


def _grouped(qs, model_rows_max: int) -> tuple[list[ThemeGroup], int]:
    counts = dict(qs.order_by().values_list("theme").annotate(n=Count("pk")))
    items = list(qs.select_related("report__unit").order_by("theme", "report__unit__path", "pk")[:model_rows_max])
    labels = dict(Theme.choices)
    groups = {theme: ThemeGroup(theme=theme, label=str(labels.get(theme, theme)), count=n)
              for theme, n in counts.items()}
    for item in items:
        groups[item.theme].items.append(item)
    ordered = [groups[t] for t in Theme.values if t in groups]
    return ordered, sum(counts.values()) - len(items)


def build(*, unit: Unit, quarter: Quarter, terms: CurrentTerms, today: dt.date | None = None) -> Pack:
    today = today or timezone.localdate()
    live = unit_dashboard(unit=unit, terms=terms, today=today)
    current = Quarter.of(today)
    snapshot = snapshots.find(quarter) if quarter < current else None
    previous = snapshots.find(quarter.previous)
    if quarter >= current:
        mode, d, as_of = Mode.LIVE, live, today
    elif snapshot is not None and not live.is_leaf:
        mode, d, as_of = Mode.SNAPSHOT, _snapshot_dashboard(live, snapshot, quarter.end), quarter.end
    else:
        mode, d, as_of = Mode.NO_SNAPSHOT, live, today
    pack = Pack(unit=unit, quarter=quarter, today=today, mode=mode, as_of=as_of, d=d,
                due_date=quarter.due_date)
    if previous is not None and not live.is_leaf:
        before = _snapshot_totals(previous, [unit.pk], terms, {}).get(unit.pk, Totals())
        pack.changes = _changes(d.totals, before)

    reports = QuarterlyReport.objects.of(quarter).filter(status=ReportStatus.SUBMITTED)
    children = [row.unit for row in d.children]
    filed = set(reports.filter(unit__parent=unit).values_list("unit_id", flat=True))
    pack.children_total = len(children)
    pack.reports_submitted = len(filed)
    pack.reports_missing = [c for c in children if c.pk not in filed]

    own_words: dict[int, list[str]] = defaultdict(list)
    late = [row for row in d.children if row.light == Light.LATE]
    if late:
        for unit_id, text in Difficulty.objects.filter(
            report__in=reports, report__unit_id__in=[r.unit.pk for r in late]
        ).order_by("pk").values_list("report__unit_id", "text"):
            own_words[unit_id].append(text)
    pack.late = [LateRow(unit=r.unit, reasons=list(r.reasons), difficulties=own_words.get(r.unit.pk, []))
                 for r in late]

    subtree = reports.filter(unit__path__startswith=unit.path)
    pack.difficulties, pack.difficulties_more = _grouped(Difficulty.objects.filter(report__in=subtree), PACK_ROWS_MAX)
    pack.proposals, pack.proposals_more = _grouped(Proposal.objects.filter(report__in=subtree), PACK_ROWS_MAX)

    ctx = hooks.PackContext(unit=unit, quarter=quarter, as_of=as_of, today=today, live=pack.live)
    pack.first_sections = hooks.sections(ctx, first=True)
    pack.sections = hooks.sections(ctx, first=False)
    return pack
