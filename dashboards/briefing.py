"""The briefing report (báo cáo giao ban) of a unit's subtree: what the print view and the
Word document share (issue 10, point 8).

A briefing is read at a meeting: its summary fits on two A4 pages — the headline counts,
the checks, the calendar, the completion per step, and the few subordinate units that need
attention most — and an annex names every unit below that is missing something or late,
each once, worst first. Officials edit it in Word before the meeting, hence the .docx.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Q, Value, When, Window
from django.db.models.functions import Coalesce
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
# The annex names at most this many units, the worst first, and counts the rest: a
# province's whole subtree (about 1,000 units) fits, while the national root's (38,000 of
# 60,000 units missing something on the benchmark tree) made a 6 MB page rendered in 4 s
# and a Word file built in 64 s. The unit list and its exports name them all.
ANNEX_MAX = 2000


@dataclass
class AnnexRow:
    """A unit below that is missing something or late, with every problem in words."""

    unit: Unit
    problems: list[str]

    @property
    def problem(self) -> str:
        return "; ".join(self.problems)


@dataclass
class Briefing:
    d: Dashboard
    attention: list[ChildBar]  # the worst late children, at most ATTENTION_MAX
    attention_total: int  # every late child
    annex: list[AnnexRow] = field(default_factory=list)  # the worst, at most ANNEX_MAX
    not_registered: int = 0  # of the annex: congress date not registered (the "953/1008" gap)
    annex_total: int = 0  # every unit of the annex, named or not

    @property
    def annex_cut(self) -> bool:
        return self.annex_total > len(self.annex)


def _first(condition) -> Case:
    """0 for the rows meeting `condition`, 1 for the others: ascending, they come first."""
    return Case(When(condition, then=Value(0)), default=Value(1), output_field=IntegerField())


def _annex(d: Dashboard) -> tuple[list[AnnexRow], int, int]:
    """The units below with no congress, no registered congress date, overdue steps, or a
    date after their level's deadline: the worst ANNEX_MAX of them, how many of all have
    not registered their date, and how many there are in all. One query
    (dashboards.lists.unit_rows, the totals as window counts over the whole set), worst
    first: no congress opened, then the most overdue steps, then not registered, then
    dated after the deadline; within that the tree's order."""
    after_deadline = Q(congress_date__gt=F("level_deadline"))
    rows = (
        unit_rows(unit=d.unit, terms=d.terms, today=d.today)
        .annotate(level_deadline=deadline_of_level(d.terms))
        .filter(Q(congress_pk__isnull=True) | Q(registered_on__isnull=True) | Q(steps_overdue__gt=0) | after_deadline)
        .annotate(annex_total=Window(Count("pk")),
                  annex_not_registered=Window(Count(Case(When(registered_on__isnull=True, then=Value(1))))))
        .order_by(_first(Q(congress_pk__isnull=True)), Coalesce("steps_overdue", 0).desc(),
                  _first(Q(registered_on__isnull=True)), _first(after_deadline), "path")
    )
    rows = list(rows[:ANNEX_MAX])
    levels = dict(Level.choices)
    out = []
    for u in rows:
        problems = []
        after = bool(u.congress_date and u.level_deadline and u.congress_date > u.level_deadline)
        if u.congress_pk is None:
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
        u.level_label = levels.get(u.level, u.level)
        out.append(AnnexRow(unit=u, problems=problems))
    # The window counts are over every row of the annex, the same on each row.
    return out, (rows[0].annex_not_registered if rows else 0), (rows[0].annex_total if rows else 0)


def unit_briefing(d: Dashboard) -> Briefing:
    late = [b for b in children_chart(d)["bars"] if b.light == Light.LATE]
    annex, not_registered, total = _annex(d) if not d.is_leaf else ([], 0, 0)
    return Briefing(d=d, attention=late[:ATTENTION_MAX], attention_total=len(late), annex=annex,
                    not_registered=not_registered, annex_total=total)


def as_of(d: Dashboard) -> str:
    return _("Term %(term)s · situation as of %(date)s") % {"term": d.terms_label, "date": d.today.strftime("%d/%m/%Y")}
