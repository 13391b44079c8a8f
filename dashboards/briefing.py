"""The briefing report (báo cáo giao ban) of a unit's subtree: what the print view and the
Word document share (issue 10, point 8).

A briefing is read at a meeting: its summary fits on two A4 pages — the headline counts,
the checks, the calendar, the completion per step, and the few subordinate units that need
attention most — and an annex names every unit below that is missing something or late,
each once, worst first. Officials edit it in Word before the meeting, hence the .docx.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from committees.models import Level, Unit
from congresses.models import Light

from .charts import ChildBar, children_chart
from .lists import deadline_of_level, unit_rows
from .selectors import Dashboard

# At most this many subordinate units in the summary's "needing attention": with the rest
# of the summary it keeps the print to two A4 pages; the annex names every one.
ATTENTION_MAX = 10


@dataclass
class AnnexRow:
    """A unit below that is missing something or late, with every problem in words."""

    unit: Unit
    problems: list[str]
    rank: tuple

    @property
    def problem(self) -> str:
        return "; ".join(self.problems)


@dataclass
class Briefing:
    d: Dashboard
    attention: list[ChildBar]  # the worst late children, at most ATTENTION_MAX
    attention_total: int  # every late child
    annex: list[AnnexRow] = field(default_factory=list)
    not_registered: int = 0  # of the annex: congress date not registered (the "953/1008" gap)


def _annex(d: Dashboard) -> tuple[list[AnnexRow], int]:
    """Every unit below with no congress, no registered congress date, overdue steps, or a
    date after its level's deadline: one query (dashboards.lists.unit_rows), worst first —
    no congress opened, then the most overdue steps, then not registered, then dated after
    the deadline; within that the tree's order."""
    rows = (
        unit_rows(unit=d.unit, terms=d.terms, today=d.today)
        .annotate(level_deadline=deadline_of_level(d.terms))
        .filter(
            Q(congress_pk__isnull=True) | Q(registered_on__isnull=True) | Q(steps_overdue__gt=0)
            | Q(congress_date__gt=F("level_deadline"))
        )
        .order_by("path")
    )
    levels = dict(Level.choices)
    out, not_registered = [], 0
    for u in rows:
        problems = []
        no_congress = u.congress_pk is None
        after = bool(u.congress_date and u.level_deadline and u.congress_date > u.level_deadline)
        if no_congress:
            problems.append(_("no congress opened"))
        else:
            if u.steps_overdue:
                problems.append(ngettext("%(n)d overdue step", "%(n)d overdue steps", u.steps_overdue)
                                % {"n": u.steps_overdue})
            if u.registered_on is None:
                problems.append(_("congress date not registered"))
            if after:
                problems.append(_("dated after the level deadline (%(date)s)")
                                % {"date": u.level_deadline.strftime("%d/%m/%Y")})
        not_registered += u.registered_on is None
        u.level_label = levels.get(u.level, u.level)
        rank = (not no_congress, -(u.steps_overdue or 0), u.registered_on is not None, not after)
        out.append(AnnexRow(unit=u, problems=problems, rank=rank))
    out.sort(key=lambda r: r.rank)  # stable: the tree's order within a rank
    return out, not_registered


def unit_briefing(d: Dashboard) -> Briefing:
    late = [b for b in children_chart(d)["bars"] if b.light == Light.LATE]
    annex, not_registered = _annex(d) if not d.is_leaf else ([], 0)
    return Briefing(d=d, attention=late[:ATTENTION_MAX], attention_total=len(late), annex=annex,
                    not_registered=not_registered)


def as_of(d: Dashboard) -> str:
    return _("Term %(term)s · situation as of %(date)s") % {"term": d.terms_label, "date": d.today.strftime("%d/%m/%Y")}
