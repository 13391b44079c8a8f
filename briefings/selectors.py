"""Reads of the quarterly briefing: a report's progress section, the superior's inbox,
the open proposals by age."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from committees.models import Unit
from committees.names import name_order
from congresses.models import MilestoneStatus
from congresses.selectors import current_terms

from .models import Proposal, ProposalStatus, QuarterlyReport, ReportStatus
from .quarters import Quarter


@dataclass
class Progress:
    """A report's progress section: the unit's own congress and documents, and its
    subtree's roll-up numbers (the dashboard's). Plain values: kept as JSON on submission."""

    as_of: str = ""
    congress_date: str | None = None
    congress_status: str = ""
    steps_total: int = 0
    steps_done: int = 0
    done: list[dict] = field(default_factory=list)  # {"title", "done_on"}
    overdue: list[dict] = field(default_factory=list)  # {"title", "due_date"}
    documents: list[dict] = field(default_factory=list)  # {"kind", "title", "done", "total"}
    subtree: dict = field(default_factory=dict)  # units, registered, held, steps_done, steps_total, overdue

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Progress:
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in (data or {}).items() if k in names})

    def done_in(self, quarter: Quarter) -> list[dict]:
        """The steps done within the quarter."""
        start, end = quarter.start.isoformat(), quarter.end.isoformat()
        return [d for d in self.done if d["done_on"] and start <= d["done_on"] <= end]


def report_progress(*, unit: Unit, today: dt.date) -> Progress:
    """The progress section of `unit`'s report as of `today`, from the dashboard (its own
    congress and milestones, its documents, the subtree's roll-ups)."""
    from dashboards.selectors import unit_dashboard

    terms = current_terms()
    progress = Progress(as_of=today.isoformat())
    if not terms.terms:
        return progress
    d = unit_dashboard(unit=unit, terms=terms, today=today)
    c = d.congress
    if c is not None:
        progress.congress_date = c.counts_on.isoformat() if c.counts_on else None
        progress.congress_status = c.status
        for m in c.milestones.select_related("step").order_by("step__order", "step__code"):
            progress.steps_total += 1
            if m.status == MilestoneStatus.DONE:
                progress.steps_done += 1
                progress.done.append({"title": m.step.title, "done_on": m.done_on.isoformat() if m.done_on else None})
            elif m.due_date and m.due_date < today:
                progress.overdue.append({"title": m.step.title, "due_date": m.due_date.isoformat()})
    if d.documents is not None:
        progress.documents = [{"kind": o.kind, "title": o.title, "done": o.done, "total": o.total}
                              for o in d.documents.own]
    if not d.is_leaf:
        t = d.totals
        progress.subtree = {"units": t.units_total, "registered": t.registered, "held": t.held,
                            "steps_done": t.steps_done, "steps_total": t.steps_total, "overdue": t.overdue}
    return progress


def progress_of(report: QuarterlyReport, today: dt.date | None = None) -> Progress:
    """What the report shows: as kept on submission, or live while it is a draft."""
    if report.is_submitted and report.progress:
        return Progress.from_json(report.progress)
    return report_progress(unit=report.unit, today=today or timezone.localdate())


# --- The superior's inbox -------------------------------------------------------------------


@dataclass
class InboxRow:
    unit: Unit
    report: QuarterlyReport | None
    open_proposals: int = 0

    @property
    def submitted(self) -> bool:
        return self.report is not None and self.report.is_submitted


def inbox(*, unit: Unit, quarter: Quarter) -> list[InboxRow]:
    """The units directly under `unit` and their reports for the quarter: submitted first,
    the longest waiting first; then drafts and missing ones by name. Two queries."""
    children = list(Unit.objects.filter(parent=unit, is_active=True).order_by(name_order()))
    reports = {
        r.unit_id: r for r in QuarterlyReport.objects.of(quarter).filter(unit__parent=unit).annotate(
            open_proposals=Count("proposals", filter=Q(proposals__status=ProposalStatus.OPEN)))
    }
    rows = [InboxRow(unit=c, report=reports.get(c.pk), open_proposals=getattr(reports.get(c.pk), "open_proposals", 0))
            for c in children]
    far = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    rows.sort(key=lambda r: (not r.submitted, r.report.submitted_at if r.submitted else far))
    return rows


def open_proposals(user, *, under: Unit | None = None):
    """Open proposals of submitted reports in the user's scope (under `under`), the oldest
    submission first: the superior's "waiting for an answer" list."""
    qs = Proposal.objects.visible_to(user).open().select_related("report__unit")
    if under is not None:
        qs = qs.filter(report__unit__path__startswith=under.path)
    return qs.order_by("report__submitted_at", "pk")


def proposal_age(proposal: Proposal, today: dt.date) -> int:
    """Days since the proposal reached the superior (its report's submission)."""
    submitted = proposal.report.submitted_at
    return (today - timezone.localdate(submitted)).days if submitted else 0


def reports_of_unit(unit: Unit):
    return QuarterlyReport.objects.filter(unit=unit).annotate(
        proposal_count=Count("proposals", distinct=True), difficulty_count=Count("difficulties", distinct=True),
    ).order_by("-year", "-quarter")


__all__ = ["InboxRow", "Progress", "ReportStatus", "inbox", "open_proposals", "progress_of", "proposal_age",
           "report_progress", "reports_of_unit"]
