"""The dashboard's pictures: the congress calendar as inline SVG (no chart framework: it
renders on the server, scales with the page and prints well), drawn twice, wide for a
desktop and narrow for a phone; and the bars of the children's rows, which the template
draws in HTML (one element per row). The geometry is computed here from the dashboard's
data, so it is plain and testable.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import get_language

from committees.models import Level
from congresses.models import Light

from .selectors import LIGHT_RANK, ChildRow, Dashboard

WIDTH = 960  # the SVG's user units; it is scaled to the width of its container
MAX_COLUMNS = 78  # beyond that many weeks the calendar counts by month


def _pct(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


# --- Progress per child ---------------------------------------------------------------------
# The children are drawn once, as the rows of one table (templates/dashboards/unit_dashboard
# .html): each row is a link, holds its stacked bar, and sorts (static/js/sort-table.js).
# Issue 10, point 5: a chart of the same units above their table listed each child twice.


@dataclass
class ChildBar:
    """A child's row: the milestones of its own congress and of its whole subtree, done /
    open and not yet due / overdue, as shares of the row's bar (percent, written with a
    dot for the style attribute whatever the language)."""

    row: ChildRow
    done: int
    total: int
    overdue: int
    segments: list[dict]
    name_rank: int

    @property
    def light(self) -> str:
        return self.row.light

    @property
    def risk_rank(self) -> tuple:
        return risk_rank(self.row.light, self.overdue, self.name_rank)

    @property
    def percent(self) -> int:
        return round(_pct(self.done, self.total))

    @property
    def widths(self) -> dict[str, int]:
        """Whole percents of done and overdue steps, for the bar's width classes (w-0 … w-100
        in portal.css: the Content-Security-Policy allows no style attribute)."""
        done = round(_pct(self.done, self.total))
        return {"done": done, "late": min(round(_pct(self.overdue, self.total)), 100 - done)}


def child_bar(row: ChildRow, name_rank: int = 0) -> ChildBar:
    """A child's row: its own congress's milestones and its subtree's, as a stacked bar."""
    c = row.congress
    total = row.totals.steps_total + (c.steps_total if c else 0)
    done = row.totals.steps_done + (c.steps_done if c else 0)
    overdue = row.totals.overdue + (c.steps_overdue if c else 0)
    waiting = max(total - done - overdue, 0)
    segments = [{"cls": cls, "n": n, "w": round(_pct(n, total), 1)}
                for n, cls in ((done, "done"), (waiting, "open"), (overdue, "late"))]
    if not total:
        segments = [{"cls": "rest", "n": 0, "w": 100.0}]
    return ChildBar(row=row, done=done, total=total, overdue=overdue, segments=segments, name_rank=name_rank)


def risk_rank(light: str, overdue: int, name_rank: int) -> tuple:
    """Worst first: the light, then the most overdue steps, then the tree's name order."""
    return (LIGHT_RANK[light], -overdue, name_rank)


def light_summary(lights: list[str]) -> list[dict]:
    """The count of children per traffic light, for the summary bar and its legend."""
    counts = defaultdict(int)
    for light in lights:
        counts[light] += 1
    n = len(lights) or 1
    # Whole percents: the bar uses the width classes w-0 … w-100 (no style attribute under the CSP).
    return [{"cls": key, "n": counts[key], "label": label, "w": round(_pct(counts[key], n))}
            for key, label in Light.choices]


def children_chart(d: Dashboard) -> dict:
    """One row per child unit, worst first (its light, then its overdue steps), and the
    count of children per traffic light for the summary bar and its legend."""
    bars = [child_bar(row, i) for i, row in enumerate(d.children)]
    bars.sort(key=lambda b: b.risk_rank)
    return {"bars": bars, "summary": light_summary([row.light for row in d.children])}


# --- Calendar of congress dates ------------------------------------------------------------


@dataclass
class Column:
    start: dt.date
    x: float
    w: float
    pilots: int = 0
    others: int = 0
    label: str = ""

    @property
    def total(self) -> int:
        return self.pilots + self.others


@dataclass
class Calendar:
    width: int
    height: int
    columns: list[Column] = field(default_factory=list)
    bars: list[dict] = field(default_factory=list)
    ticks: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    by_month: bool = False
    max_count: int = 0
    plot_top: int = 40
    plot_bottom: int = 0


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


NARROW_WIDTH = 360  # the phone variant: drawn at about the width it is shown (issue 10, point 5)
LINE_H = 15  # one row of the label band above the plot, per deadline and for today


def _tick_label_width(font: int) -> float:
    """Room for "06/2026" at `font` user units, with a gap."""
    return 7 * 0.6 * font + 10


def calendar_chart(d: Dashboard, *, width: int = WIDTH, font: int = 12) -> Calendar | None:
    """Congresses below the unit per week of their date (held, or else planned), pilots
    stacked apart, with today and the deadlines drawn across: the unit's own level's and
    those of every level below it, whether or not a congress there has a date yet. None
    when there is neither a date nor a deadline to draw.

    `width` is the drawing's width in user units and `font` its text size: the page shows
    the wide drawing on a desktop and the narrow one on a phone, each at about its own
    width, so that its text stays at 12 px or more on screen (portal.css)."""
    if d.is_leaf:
        return None  # nothing below to draw; the unit's own deadline is on its congress card
    deadlines = d.deadlines
    levels_shown = {d.unit.level, *d.levels_below, *(r.level for r in d.dates)}
    marks = [(day, level) for level, day in deadlines.items() if level in levels_shown]
    if not d.dates and not marks:
        return None
    days = [r.date for r in d.dates] + [day for day, _level in marks]
    first, last = min(days), max(days)
    first = min(first, d.today) if (d.today - first).days < 400 else first
    last = max(last, d.today) if (d.today - last).days < 400 and d.today > last else last
    max_columns = MAX_COLUMNS if width >= WIDTH else MAX_COLUMNS // 3
    by_month = (_week_start(last) - _week_start(first)).days // 7 + 1 > max_columns
    start_of = _month_start if by_month else _week_start
    starts = []
    cursor = start_of(first)
    while cursor <= last:
        starts.append(cursor)
        cursor = _next_month(cursor) if by_month else cursor + dt.timedelta(days=7)
    left, right = 3 * font, width - 8
    w = (right - left) / len(starts)
    columns = {s: Column(start=s, x=left + i * w, w=w) for i, s in enumerate(starts)}
    for r in d.dates:
        col = columns[start_of(r.date)]
        col.pilots += r.pilots
        col.others += r.congresses - r.pilots
    show_today = starts[0] <= d.today <= last
    line_h = max(LINE_H, font + 3)
    # The label band above the plot: one row per deadline and one for today, so that no
    # label sits on another or on a bar.
    band_rows = len(marks) + (1 if show_today else 0)
    cal = Calendar(width=width, height=0, columns=list(columns.values()), by_month=by_month)
    cal.font = font
    cal.left = left
    cal.plot_top = band_rows * line_h + 10
    plot_h = 150 if width >= WIDTH else 120
    cal.plot_bottom = cal.plot_top + plot_h
    cal.height = cal.plot_bottom + 2 * line_h + 8  # the month ticks, then the legend
    cal.max_count = max(c.total for c in cal.columns) or 1
    fmt = "m/Y" if by_month else "SHORT_DATE_FORMAT"
    for col in cal.columns:
        y = cal.plot_bottom
        period = date_format(col.start, fmt)
        for n, cls in ((col.others, "others"), (col.pilots, "pilots")):
            if not n:
                continue
            h = plot_h * n / cal.max_count
            y -= h
            cal.bars.append({"x": round(col.x + 0.5, 1), "y": round(y, 1), "w": round(max(col.w - 1, 0.8), 1),
                             "h": round(h, 1), "cls": cls, "title": f"{period}: {n}"})

    def x_of(day: dt.date) -> float:
        col = columns.get(start_of(day))
        if col is None:
            return left if day < starts[0] else right
        span_days = ((_next_month(col.start) if by_month else col.start + dt.timedelta(days=7)) - col.start).days
        return col.x + col.w * (day - col.start).days / span_days

    # A tick on the first day of each month (not on the week that holds it: that was off
    # by up to six days), every few months when the labels would not fit.
    months = []
    cursor = _month_start(starts[0])
    if cursor < starts[0]:
        cursor = _next_month(cursor)
    end = (_next_month(starts[-1]) if by_month else starts[-1] + dt.timedelta(days=7))
    while cursor < end:
        months.append(cursor)
        cursor = _next_month(cursor)
    room = max(int((right - left) // _tick_label_width(font)), 1)
    step = max(-(-len(months) // room), 1)
    for i, month in enumerate(months):
        if i % step == 0:
            x = x_of(month)
            if x + _tick_label_width(font) - 10 <= width:
                cal.ticks.append({"x": round(x, 1), "label": date_format(month, "m/Y")})

    labels = dict(Level.choices)
    rows = []
    if show_today:
        rows.append({"x": round(x_of(d.today), 1), "cls": "today", "label": _("today")})
    for day, level in sorted(marks):
        rows.append({"x": round(x_of(day), 1), "cls": "deadline",
                     "label": _("%(level)s deadline %(date)s") % {
                         "level": labels.get(level, level), "date": date_format(day, "SHORT_DATE_FORMAT")}})
    for i, line in enumerate(rows):
        line["anchor"] = "end" if line["x"] > width * 0.55 else "start"
        line["label_y"] = (i + 1) * line_h
        line["label_x"] = line["x"] - 3 if line["anchor"] == "end" else line["x"] + 3
        line["top"] = line["label_y"] + 3
    cal.lines = rows
    cal.gridlines = [
        {"y": round(cal.plot_bottom - plot_h * v / cal.max_count, 1), "v": v}
        for v in sorted({cal.max_count, (cal.max_count + 1) // 2})
        if v > 0
    ]
    return cal


# --- Drawing -------------------------------------------------------------------------------
# The markup is written here rather than in templates: numbers must be written with a dot
# whatever the user's language (a Vietnamese template would write 12,5), and a calendar
# of two years draws hundreds of shapes, which string formatting does in a fraction of the
# template engine's time. Every text goes through conditional_escape.


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _svg(kind: str, width: int, height: float, title: str, body: list[str], extra: str = "") -> SafeString:
    return mark_safe(
        f'<svg class="chart chart-{kind}{extra}" viewBox="0 0 {width} {_n(height)}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def calendar_svg(cal: Calendar, variant: str = "wide") -> SafeString:
    title = _("Congresses below, by month of their date") if cal.by_month else _("Congresses below, by week of their date")
    left, font = cal.left, cal.font
    body = [f'<g font-size="{font}">']
    for g in cal.gridlines:
        body.append(f'<line x1="{left}" x2="{cal.width}" y1="{_n(g["y"])}" y2="{_n(g["y"])}" class="grid"/>'
                    f'<text x="{left - 4}" y="{_n(g["y"] + 4)}" class="axis" text-anchor="end">{g["v"]}</text>')
    body.append(f'<line x1="{left}" x2="{cal.width}" y1="{cal.plot_bottom}" y2="{cal.plot_bottom}" class="axis-line"/>')
    pilot = escape(_("pilot"))
    for b in cal.bars:
        suffix = f" {pilot}" if b["cls"] == "pilots" else ""
        body.append(f'<rect x="{_n(b["x"])}" y="{_n(b["y"])}" width="{_n(b["w"])}" height="{_n(b["h"])}" '
                    f'class="cal-{b["cls"]}"><title>{escape(b["title"])}{suffix}</title></rect>')
    for t in cal.ticks:
        body.append(f'<line x1="{_n(t["x"])}" x2="{_n(t["x"])}" y1="{cal.plot_bottom}" y2="{cal.plot_bottom + 4}" '
                    f'class="axis-line"/><text x="{_n(t["x"])}" y="{cal.plot_bottom + font + 4}" class="axis">'
                    f'{escape(t["label"])}</text>')
    for line in cal.lines:
        body.append(f'<line x1="{_n(line["x"])}" x2="{_n(line["x"])}" y1="{line["top"]}" y2="{cal.plot_bottom}" '
                    f'class="line-{line["cls"]}"/><text x="{_n(line["label_x"])}" y="{line["label_y"]}" '
                    f'text-anchor="{line["anchor"]}" class="line-label line-label-{line["cls"]}">'
                    f'{escape(line["label"])}</text>')
    legend_x = round(font * 9.5)
    body.append(
        f'<g transform="translate({left} {cal.height - 6})" class="legend">'
        f'<rect width="10" height="10" y="-9" class="cal-others"/><text x="14" y="0">{escape(_("congresses"))}</text>'
        f'<rect x="{legend_x}" width="10" height="10" y="-9" class="cal-pilots"/>'
        f'<text x="{legend_x + 14}" y="0">{escape(_("pilot congresses"))}</text></g></g>'
    )
    return _svg("calendar", cal.width, cal.height, title, body, extra=f" chart-{variant}")


def _draw_calendars(d: Dashboard) -> dict:
    wide = calendar_chart(d)
    narrow = calendar_chart(d, width=NARROW_WIDTH, font=13) if wide else None
    return {"calendar": calendar_svg(wide) if wide else None,
            "calendar_narrow": calendar_svg(narrow, "narrow") if narrow else None}


# The drawings are kept per process under everything they are drawn from: the calendar
# changes when a congress below is dated or held, rarely, while the dashboard around it is
# rebuilt at every milestone ticked below (a few milliseconds saved on each).
_DRAWN: OrderedDict[tuple, dict] = OrderedDict()
_DRAWN_KEPT = 256
_drawn_lock = threading.Lock()


def _calendar_key(d: Dashboard) -> tuple:
    """Everything calendar_chart reads from the dashboard, and the language of its labels."""
    return (get_language(), d.today, d.unit.level, d.is_leaf, tuple(d.levels_below),
            tuple(sorted(d.deadlines.items())), tuple((r.level, r.date, r.congresses, r.pilots) for r in d.dates))


def calendar_charts(d: Dashboard) -> dict:
    """The congress calendar as SVG markup, wide and narrow (None without dates)."""
    key = _calendar_key(d)
    drawn = _DRAWN.get(key)
    if drawn is None:
        drawn = _draw_calendars(d)
        with _drawn_lock:
            _DRAWN[key] = drawn
            while len(_DRAWN) > _DRAWN_KEPT:
                _DRAWN.popitem(last=False)
    return dict(drawn)


def dashboard_charts(d: Dashboard) -> dict:
    """The dashboard's pictures: the calendar as SVG markup, wide and narrow (None without
    dates), and the rows of the children's table."""
    return {**calendar_charts(d), "children": children_chart(d)}
