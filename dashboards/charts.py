"""Geometry of the dashboard's pictures. The templates in templates/dashboards/charts/
draw them as inline SVG (no chart framework: they render on the server, scale with the
page and print well); these functions only compute positions and sizes from the
dashboard's data, so they are plain and testable.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from committees.models import Level
from congresses.models import Light

from .selectors import Dashboard

WIDTH = 960  # the SVG's user units; it is scaled to the width of its container
LABEL_W = 260  # room for the row labels on the left of the bar charts
ROW_H = 22
MAX_COLUMNS = 78  # beyond that many weeks the calendar counts by month


def _pct(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- Completion per step --------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    title: str
    y: int
    segments: list[dict]
    value: str


def steps_chart(d: Dashboard) -> dict:
    """One horizontal bar per plan step: the share of the subtree's milestones done."""
    span = WIDTH - LABEL_W - 70
    bars = []
    for i, row in enumerate(d.steps):
        done_w = span * row.done / row.total if row.total else 0
        bars.append(Bar(
            label=_short(row.step.title), title=row.step.title, y=i * ROW_H,
            segments=[{"x": LABEL_W, "w": round(done_w, 1), "cls": "done"},
                      {"x": round(LABEL_W + done_w, 1), "w": round(span - done_w, 1), "cls": "rest"}],
            value=f"{row.done}/{row.total}",
        ))
    return {"width": WIDTH, "height": max(len(bars), 1) * ROW_H + 4, "bars": bars, "value_x": WIDTH - 64}


# --- Progress per child ---------------------------------------------------------------------


def children_chart(d: Dashboard) -> dict:
    """One stacked bar per child unit: the milestones of its own congress and of its whole
    subtree, done / open and not yet due / overdue; and the count of children per traffic
    light."""
    span = WIDTH - LABEL_W - 70
    bars = []
    for i, row in enumerate(d.children):
        c = row.congress
        total = row.totals.steps_total + (c.steps_total if c else 0)
        done = row.totals.steps_done + (c.steps_done if c else 0)
        overdue = row.totals.overdue + (c.steps_overdue if c else 0)
        waiting = max(total - done - overdue, 0)
        x = LABEL_W
        segments = []
        for n, cls in ((done, "done"), (waiting, "open"), (overdue, "late")):
            w = span * n / total if total else 0
            segments.append({"x": round(x, 1), "w": round(w, 1), "cls": cls, "n": n})
            x += w
        if not total:
            segments = [{"x": LABEL_W, "w": span, "cls": "rest", "n": 0}]
        bars.append(Bar(label=_short(row.unit.name), title=row.unit.name, y=i * ROW_H, segments=segments,
                        value=f"{round(_pct(done, total))}%" if total else "—"))
        bars[-1].light = row.light
        bars[-1].url_pk = row.unit.pk
    lights = defaultdict(int)
    for row in d.children:
        lights[row.light] += 1
    n = len(d.children) or 1
    summary, x = [], 0.0
    for key, label in Light.choices:
        w = WIDTH * lights[key] / n
        summary.append({"x": round(x, 1), "w": round(w, 1), "cls": key, "n": lights[key], "label": label})
        x += w
    return {"width": WIDTH, "height": max(len(bars), 1) * ROW_H + 4, "bars": bars, "value_x": WIDTH - 64,
            "summary": summary}


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


def calendar_chart(d: Dashboard) -> Calendar | None:
    """Congresses below the unit per week of their date (held, or else planned), pilots
    stacked apart, with today and the deadlines drawn across: the unit's own level's and
    those of every level below it, whether or not a congress there has a date yet. None
    when there is neither a date nor a deadline to draw."""
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
    by_month = (_week_start(last) - _week_start(first)).days // 7 + 1 > MAX_COLUMNS
    start_of = _month_start if by_month else _week_start
    starts = []
    cursor = start_of(first)
    while cursor <= last:
        starts.append(cursor)
        cursor = _next_month(cursor) if by_month else cursor + dt.timedelta(days=7)
    left, right = 34, WIDTH - 8
    w = (right - left) / len(starts)
    columns = {s: Column(start=s, x=left + i * w, w=w) for i, s in enumerate(starts)}
    for r in d.dates:
        col = columns[start_of(r.date)]
        col.pilots += r.pilots
        col.others += r.congresses - r.pilots
    cal = Calendar(width=WIDTH, height=224, columns=list(columns.values()), by_month=by_month)
    cal.plot_bottom = cal.height - 34
    plot_h = cal.plot_bottom - cal.plot_top
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
    # A tick at each month's first column (or every few months when long).
    step = 1 if len(starts) <= 26 or by_month and len(starts) <= 18 else (3 if by_month else 4)
    previous_month = None
    shown = 0
    for col in cal.columns:
        month = (col.start.year, col.start.month)
        if month != previous_month:
            if shown % step == 0:
                cal.ticks.append({"x": round(col.x, 1), "label": date_format(col.start, "m/Y")})
            shown += 1
            previous_month = month

    def x_of(day: dt.date) -> float:
        col = columns.get(start_of(day))
        if col is None:
            return left if day < starts[0] else right
        span_days = ((_next_month(col.start) if by_month else col.start + dt.timedelta(days=7)) - col.start).days
        return col.x + col.w * (day - col.start).days / span_days

    labels = dict(Level.choices)
    for day, level in sorted(marks):
        cal.lines.append({"x": round(x_of(day), 1), "cls": "deadline",
                          "label": _("%(level)s deadline %(date)s") % {
                              "level": labels.get(level, level), "date": date_format(day, "SHORT_DATE_FORMAT")}})
    if starts[0] <= d.today <= last:
        cal.lines.append({"x": round(x_of(d.today), 1), "cls": "today", "label": _("today")})
    for i, line in enumerate(cal.lines):
        # Deadline labels stack in the band above the plot; today's sits at its foot.
        line["anchor"] = "end" if line["x"] > WIDTH * 0.6 else "start"
        line["label_y"] = 11 + (i % 3) * 11 if line["cls"] == "deadline" else cal.plot_bottom - 4
        line["label_x"] = line["x"] - 3 if line["anchor"] == "end" else line["x"] + 3
    cal.gridlines = [
        {"y": round(cal.plot_bottom - plot_h * v / cal.max_count, 1), "v": v}
        for v in sorted({cal.max_count, (cal.max_count + 1) // 2})
        if v > 0
    ]
    return cal




# --- Drawing -------------------------------------------------------------------------------
# The markup is written here rather than in templates: numbers must be written with a dot
# whatever the user's language (a Vietnamese template would write 12,5), and a province
# with two hundred children draws two thousand shapes, which string formatting does in a
# fraction of the template engine's time. Every text goes through conditional_escape.


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _svg(kind: str, width: int, height: float, title: str, body: list[str]) -> SafeString:
    return mark_safe(
        f'<svg class="chart chart-{kind}" viewBox="0 0 {width} {_n(height)}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _bar_rows(c: dict, offset: float = 0, dot: bool = False) -> list[str]:
    out = []
    for b in c["bars"]:
        segs = "".join(
            f'<rect x="{_n(s["x"])}" y="4" width="{_n(s["w"])}" height="14" class="seg-{s["cls"]}"/>'
            for s in b.segments
        )
        label_x = 16 if dot else 0
        light = f'<circle cx="6" cy="11" r="5" class="light-{b.light}"/>' if dot else ""
        out.append(
            f'<g transform="translate(0 {_n(b.y + offset)})"><title>{escape(b.title)}: {escape(b.value)}</title>'
            f'{light}<text x="{label_x}" y="15" class="label">{escape(b.label)}</text>{segs}'
            f'<text x="{c["value_x"]}" y="15" class="value">{escape(b.value)}</text></g>'
        )
    return out


def steps_svg(c: dict) -> SafeString:
    body = _bar_rows(c) or [f'<text x="0" y="15" class="label">{escape(_("This term has no plan steps yet."))}</text>']
    return _svg("steps", c["width"], c["height"], _("Plan completion per step"), body)


def children_svg(c: dict) -> SafeString:
    body = ['<g class="summary">']
    for s in c["summary"]:
        if s["n"]:
            body.append(
                f'<rect x="{_n(s["x"])}" y="0" width="{_n(s["w"])}" height="20" class="light-{s["cls"]}">'
                f'<title>{escape(s["label"])}: {s["n"]}</title></rect>'
                f'<text x="{_n(s["x"] + 4)}" y="14" class="on-bar">{s["n"]} {escape(s["label"])}</text>'
            )
    body.append("</g>")
    body.extend(_bar_rows(c, offset=30, dot=True))
    return _svg("children", c["width"], c["height"] + 34,
                _("Progress per subordinate unit: steps done, open, overdue"), body)


def calendar_svg(cal: Calendar) -> SafeString:
    title = _("Congresses below, by month of their date") if cal.by_month else _("Congresses below, by week of their date")
    body = []
    for g in cal.gridlines:
        body.append(f'<line x1="34" x2="{cal.width}" y1="{_n(g["y"])}" y2="{_n(g["y"])}" class="grid"/>'
                    f'<text x="30" y="{_n(g["y"] + 4)}" class="axis" text-anchor="end">{g["v"]}</text>')
    body.append(f'<line x1="34" x2="{cal.width}" y1="{cal.plot_bottom}" y2="{cal.plot_bottom}" class="axis-line"/>')
    pilot = escape(_("pilot"))
    for b in cal.bars:
        suffix = f" {pilot}" if b["cls"] == "pilots" else ""
        body.append(f'<rect x="{_n(b["x"])}" y="{_n(b["y"])}" width="{_n(b["w"])}" height="{_n(b["h"])}" '
                    f'class="cal-{b["cls"]}"><title>{escape(b["title"])}{suffix}</title></rect>')
    for t in cal.ticks:
        body.append(f'<line x1="{_n(t["x"])}" x2="{_n(t["x"])}" y1="{cal.plot_bottom}" y2="{cal.plot_bottom + 4}" '
                    f'class="axis-line"/><text x="{_n(t["x"])}" y="{cal.plot_bottom + 16}" class="axis">'
                    f'{escape(t["label"])}</text>')
    for line in cal.lines:
        body.append(f'<line x1="{_n(line["x"])}" x2="{_n(line["x"])}" y1="{cal.plot_top - 6}" y2="{cal.plot_bottom}" '
                    f'class="line-{line["cls"]}"/><text x="{_n(line["label_x"])}" y="{line["label_y"]}" '
                    f'text-anchor="{line["anchor"]}" class="line-label line-label-{line["cls"]}">'
                    f'{escape(line["label"])}</text>')
    body.append(
        f'<g transform="translate(34 {cal.height - 4})" class="legend">'
        f'<rect width="10" height="10" y="-9" class="cal-others"/><text x="14" y="0">{escape(_("congresses"))}</text>'
        f'<rect x="110" width="10" height="10" y="-9" class="cal-pilots"/>'
        f'<text x="124" y="0">{escape(_("pilot congresses"))}</text></g>'
    )
    return _svg("calendar", cal.width, cal.height, title, body)


def dashboard_charts(d: Dashboard) -> dict:
    """The three pictures of a dashboard, as SVG markup (calendar None without dates)."""
    cal = calendar_chart(d)
    return {"steps": steps_svg(steps_chart(d)), "children": children_svg(children_chart(d)),
            "calendar": calendar_svg(cal) if cal else None}
