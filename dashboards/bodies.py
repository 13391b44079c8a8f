"""A unit's dashboard body, HTML and JSON, put together from what the cache still holds.

At national scale a milestone ticked anywhere below a unit changes its headline counts and
the one child row on the tick's path, nothing else: the domain's signal replaces the
version tokens of the units on that path (dashboards.cache). So the body is cached whole
under the unit's version, and with it what rebuilds it: the list of children it was read
for and, per row, the child's version the row was rendered under and where the row lies
in the body. A reader who finds the body stale (the lookup reads it with the tokens, in
one round trip) reads the unit's own figures, cuts every row still valid out of the stale
body, and builds only the rows whose child changed: the queries read the unit and those
children only (selectors.unit_dashboard, `rows_for`), no query reads the list of children
while the tree stands, and the rows are never read or written apart from the body.

Every token is read before the figures it guards (a change committed in between only
makes the reader store its older figures under the older token, which nobody asks for
again): the unit's, the global and the tree's tokens with the body, then the children's
tokens before their rows are rebuilt. The list of children is guarded by the tree's token, which a
unit's save or deletion replaces (dashboards.signals): a unit renamed, moved, added or
removed is read again at once, and the global token covers the changes made in bulk.

The HTML row is cached without its position (`data-risk`, the rank among its siblings,
and `data-name`, its rank in name order), which depends on the other rows: they are
written when the rows are put together, sorted worst first (charts.risk_rank) from the
light and overdue count kept beside each row.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
from dataclasses import dataclass, replace
from typing import NamedTuple

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.template import engines
from django.urls import reverse
from django.utils.safestring import mark_safe

from committees.models import Level, Unit
from congresses.selectors import CurrentTerms

from . import cache as dashboard_cache
from .charts import calendar_charts, child_bar, light_summary, risk_rank
from .lists import check_urls
from .selectors import ChildRow, Dashboard, Quiet, unit_dashboard, unit_family

# Jinja templates (templates/jinja2/, core/jinja.py): about twice as fast as DTL here,
# the bulk of a cold dashboard (issue 15).
ROW_TEMPLATE = "dashboards/includes/child_row.html"
BODY_TEMPLATE = "dashboards/unit_dashboard.html"


def _jinja(name: str):
    return engines["jinja2"].get_template(name)


class Child(NamedTuple):
    """A child as its parent's dashboard lists it, and all its row reads of it."""

    pk: int
    code: str
    name: str
    level: str


@dataclass
class Rows:
    """The children of a unit and their rows still valid, as a rebuild finds them, and the
    unit's figures when the other format read them under the same versions."""

    children: list[Child]
    versions: dict[int, int]  # each child's token, read before its figures
    valid: dict[int, object]  # child id: payload, for the rows still valid
    ancestors: list[Unit]  # root first, kept with the list of children
    figures_key: str = ""
    figures: tuple | None = None  # (Dashboard without unit and terms, {child id: version of its row in it})
    fresh: tuple | None = None  # the figures read by this rebuild, to keep
    quiet_key: str = ""
    quiet_kept: bytes | None = None  # the quiet sections kept under the unit's quiet token, pickled
    fresh_quiet: Quiet | None = None  # the quiet sections read by this rebuild, to keep


def _payload(kind: str, text: str, meta: tuple) -> object:
    """A row as the body it was kept in holds it: for HTML {light, overdue, html} (the
    light and overdue count kept beside it, the html a slice of the body), for JSON its
    entry, a slice of the body."""
    if kind == "html":
        light, overdue, start, end = meta
        return {"light": light, "overdue": overdue, "html": text[start:end]}
    start, end = meta
    return text[start:end]


def _rows(kind: str, unit: Unit, found: Lookup, today: dt.date, language: str) -> Rows:
    """The list of children, the rows still valid and the figures kept: the rows are cut
    out of the body the lookup found (stale, but each row carries its child's version),
    the figures and the quiet sections are one read of the cache, then the children's
    tokens come in one MGET;
    the list of children and the ancestors are queried only when the tree or the global
    version changed since they were kept."""
    term_ids = [t.pk for t in found.terms.terms]
    figures_key = dashboard_cache.figures_key(unit.pk, term_ids, today, language)
    quiet_key = dashboard_cache.quiet_figures_key(unit.pk, term_ids, today, language)
    kept_figures = cache.get_many([figures_key, quiet_key])
    figures, quiet = kept_figures.get(figures_key), kept_figures.get(quiet_key)
    kept = None if found.previous is None else pickle.loads(found.previous[1])  # noqa: S301 (our own cache)
    if kept is not None and kept[:2] == (found.tree, found.everything):
        children, metas, ancestors = [Child._make(c) for c in kept[2]], kept[3], kept[4]
    else:
        ancestors, units = unit_family(unit)
        children, metas = [Child(u.pk, u.code, u.name, u.level) for u in units], {}
    token_keys = {c.pk: dashboard_cache.unit_key(c.pk) for c in children}
    tokens = dashboard_cache.fill_tokens(cache.get_many(list(token_keys.values())), token_keys.values())
    versions = {pk: tokens[k] for pk, k in token_keys.items()}
    text = found.previous[0] if metas else ""
    valid = {pk: _payload(kind, text, meta[1:]) for pk, meta in metas.items() if versions.get(pk) == meta[0]}
    # The figures are pickled inside the value: unpickled only when still valid.
    if figures is not None and figures[:2] == (found.version, found.everything):
        figures = pickle.loads(figures[2])  # noqa: S301  (our own cache, as Django's backend does)
    else:
        figures = None
    # The quiet sections hold the petition counts of each child: kept for one list of
    # children too (the tree's token). Unpickled only when the figures are read again
    # (`_dashboard`).
    quiet = quiet[3] if quiet is not None and quiet[:3] == (found.quiet, found.everything, found.tree) else None
    return Rows(children=children, versions=versions, valid=valid, ancestors=ancestors, figures_key=figures_key,
                figures=figures, quiet_key=quiet_key, quiet_kept=quiet)


def _store(found: Lookup, rows: Rows, body: str, offsets: dict[int, tuple[int, int]], kind: str) -> None:
    """The body with what rebuilds it (the list of children, the ancestors and, per row,
    its child's version and where the row is in the body), and the figures read, in one
    round trip."""
    if kind == "html":
        metas = {pk: (rows.versions[pk], rows.valid[pk]["light"], rows.valid[pk]["overdue"], *span)
                 for pk, span in offsets.items()}
    else:
        metas = {pk: (rows.versions[pk], *span) for pk, span in offsets.items()}
    kept = (found.tree, found.everything, [tuple(c) for c in rows.children], metas, rows.ancestors)
    key, value = found.value(body, pickle.dumps(kept, pickle.HIGHEST_PROTOCOL))
    values = {key: value}
    if rows.fresh is not None:
        values[rows.figures_key] = (found.version, found.everything, pickle.dumps(rows.fresh, pickle.HIGHEST_PROTOCOL))
    if rows.fresh_quiet is not None:
        values[rows.quiet_key] = (found.quiet, found.everything, found.tree,
                                  pickle.dumps(rows.fresh_quiet, pickle.HIGHEST_PROTOCOL))
    cache.set_many(values, timeout=dashboard_cache.BODY_TIMEOUT)


def _dashboard(unit: Unit, found: Lookup, rows: Rows, today: dt.date) -> Dashboard:
    """The unit's figures and the rows of the children whose row is not valid: those the
    other format kept under the same versions when they hold every row needed, else read
    (selectors.unit_dashboard, and kept)."""
    needed = {c.pk for c in rows.children} - rows.valid.keys()
    if rows.figures is not None:
        d, row_versions = rows.figures
        built = {r.unit.pk: r for r in d.children if row_versions.get(r.unit.pk) == rows.versions.get(r.unit.pk)}
        if needed <= built.keys():
            return replace(d, unit=unit, terms=found.terms, child_units=rows.children,
                           children=[built[c.pk] for c in rows.children if c.pk in needed])
    quiet = None if rows.quiet_kept is None else pickle.loads(rows.quiet_kept)  # noqa: S301 (our own cache)
    d = unit_dashboard(unit=unit, terms=found.terms, today=today, family=(rows.ancestors, rows.children),
                       rows_for=needed, plan=found.plan.steps if rows.children else None, quiet=quiet)
    # Both kept with the petition counts of the children that have some only (the others
    # read as none, `PetitionCounts()`), and the figures without what the reader has
    # already (the unit, the current terms, whose deadlines are a queryset, and the list
    # of children): less to pickle and unpickle.
    petitions = {pk: c for pk, c in d.petitions.items() if c or pk == unit.pk}
    if quiet is None and rows.children:
        rows.fresh_quiet = replace(d.quiet, petitions=petitions)
    rows.fresh = (replace(d, unit=None, terms=None, ancestors=[], child_units=[], petitions=petitions),
                  {r.unit.pk: rows.versions[r.unit.pk] for r in d.children})
    return d


@dataclass
class Lookup:
    """What a dashboard request finds first, in one round trip to the cache: the unit's,
    the global and the tree's version tokens and the unit's quiet token, the current terms
    as of the global one (dashboards.cache `plan_for`), and the body when it is still valid."""

    plan: dashboard_cache.Plan
    key: str
    version: int
    everything: int
    tree: int
    body: object | None
    quiet: int = 0  # the unit's quiet token (dashboards.cache `quiet_key`)
    # (body, what rebuilds it) of the value found under the key, valid or not: a rebuild
    # takes the rows still valid out of it (`_rows`).
    previous: tuple | None = None

    @property
    def terms(self) -> CurrentTerms:
        return self.plan.terms

    def value(self, body, kept: bytes) -> tuple[str, tuple]:
        return self.key, (self.version, self.everything, body, kept)


def lookup(unit: Unit, today: dt.date, language: str, kind: str) -> Lookup:
    """The tokens, the terms and the cached body (`kind` "html" or "json"). The body's key
    names the current terms: it is read with the tokens under the terms this process saw
    last, and read again only when the global token says they changed."""
    token_keys = [dashboard_cache.unit_key(unit.pk), dashboard_cache.GLOBAL_KEY, dashboard_cache.TREE_KEY,
                  dashboard_cache.quiet_key(unit.pk)]
    guess = dashboard_cache.last_plan()
    guessed = None if guess is None else dashboard_cache.body_key(
        unit.pk, [t.pk for t in guess.terms.terms], today, language, kind)
    found = dashboard_cache.fill_tokens(cache.get_many(token_keys + ([guessed] if guessed else [])), token_keys)
    version, everything, tree, quiet = (found[k] for k in token_keys)
    plan = dashboard_cache.plan_for(everything)
    key = dashboard_cache.body_key(unit.pk, [t.pk for t in plan.terms.terms], today, language, kind)
    value = found.get(key) if key == guessed else (cache.get(key) if plan.terms.terms else None)
    body = value[2] if value is not None and value[:2] == (version, everything) else None
    return Lookup(plan=plan, key=key, version=version, everything=everything, tree=tree, body=body,
                  previous=None if value is None else value[2:4], quiet=quiet)


def _link_children(rows: list[ChildRow]) -> None:
    """Each child row's links, from one reverse() per URL name rather than two a row."""
    patterns = {name: reverse(f"dashboards:{name}", args=[0]) for name in ("unit_dashboard", "unit_units")}
    marker = "/0/"
    for row in rows:
        segment = f"/{row.unit.pk}/"
        row.dashboard_url = patterns["unit_dashboard"].replace(marker, segment, 1)
        row.units_url = patterns["unit_units"].replace(marker, segment, 1)


def _html_row(template, row: ChildRow) -> dict:
    bar = child_bar(row)
    html = template.render({"b": bar, "r": row, "c": row.congress}).lstrip()
    return {"light": str(row.light), "overdue": bar.overdue, "html": " " + html}


def _children_html(children: list[Child], rows: dict[int, dict]) -> tuple[str, dict[int, tuple[int, int]]]:
    """The children's table rows, worst first, and where each row's cached part is in them."""
    ranked = sorted(enumerate(children), key=lambda ic: risk_rank(rows[ic[1].pk]["light"], rows[ic[1].pk]["overdue"], ic[0]))
    parts, offsets, at = [], {}, 0
    for i, (rank, child) in enumerate(ranked):
        head, html = f'\n  <tr id="child-{child.pk}" data-risk="{i}" data-name="{rank}"', rows[child.pk]["html"]
        offsets[child.pk] = (at + len(head), at + len(head) + len(html))
        parts += (head, html)
        at += len(head) + len(html)
    return "".join(parts), offsets


# Where the children's rows go in the rendered body (they are put in after rendering, so
# that where each row lies in the body is known: dashboards.bodies `_store`).
_ROWS_MARK = "<!--dashboard rows-->"


def html_body(unit: Unit, found: Lookup, today: dt.date, language: str) -> tuple[str, list[Unit] | None]:
    """The dashboard's body, and the unit's ancestors when the body was rebuilt (None when
    it came whole from the cache)."""
    if found.body is not None:
        return found.body, None
    rows = _rows("html", unit, found, today, language)
    d = _dashboard(unit, found, rows, today)
    if d.children:
        _link_children(d.children)
        template = _jinja(ROW_TEMPLATE)
        rows.valid.update({row.unit.pk: _html_row(template, row) for row in d.children})
    children = None
    if rows.children:
        children = {"count": len(rows.children), "rows": mark_safe(_ROWS_MARK),
                    "summary": light_summary([rows.valid[c.pk]["light"] for c in rows.children])}
    rendered = _jinja(BODY_TEMPLATE).render({"d": d, "charts": calendar_charts(d), "check_urls": check_urls(d.unit),
                                             "children": children})
    table, offsets = _children_html(rows.children, rows.valid) if children else ("", {})
    head, mark, tail = rendered.partition(_ROWS_MARK)
    if children and not mark:
        raise ValueError(f"{BODY_TEMPLATE} does not print children.rows")
    body = mark_safe(head + table + tail)  # noqa: S308 (Jinja autoescapes; the page prints it as is)
    _store(found, rows, body, {pk: (start + len(head), end + len(head)) for pk, (start, end) in offsets.items()}, "html")
    return body, rows.ancestors


# ---------------------------------------------------------------------------------------
# JSON (docs/api.md)


def _date(day) -> str | None:
    return day.isoformat() if day else None


def _deadline_json(deadline) -> dict | None:
    return None if deadline is None else {
        "level": deadline.level, "date": deadline.date.isoformat(), "days_left": deadline.days_left,
    }


def _congress_json(c) -> dict | None:
    """A congress on the date it counts on (held, or else planned: `Congress.counts_on`)."""
    return None if c is None else {
        "date": _date(c.counts_on), "planned_date": _date(c.planned_date), "held_on": _date(c.held_on),
        "registered_on": _date(c.registered_on), "status": c.status, "pilot": c.is_pilot,
        "steps_done": c.steps_done, "steps_total": c.steps_total, "overdue_steps": c.steps_overdue,
    }


def _totals_json(t) -> dict:
    by_level = t.by_level()
    return {
        # Top down, whatever order the roll-up rows came in.
        "units": t.units_total, "units_by_level": {lv: t.units[lv] for lv in Level.values if lv in t.units},
        "registered": t.registered,
        "held": t.held, "pilots": t.pilots, "pilots_held": t.pilots_held,
        "by_level": {
            row["level"]: {k: row[k] for k in ("units", "registered", "held", "pilots", "pilots_held")}
            for row in by_level
        },
        # Issue 11: congresses with their subcommittees set up, of congresses; units followed
        # by an active working group of a current term (and twice), of units.
        "congresses": t.congresses_total, "subcommittees": t.subcommittees,
        "followed": t.followed_total, "followed_twice": t.followed_twice_total,
        "teams_by_level": {
            row["level"]: {k: row[k] for k in ("congresses", "subcommittees", "units", "followed", "followed_twice")}
            for row in by_level
        },
        "held_by_level": {row["level"]: row["held"] for row in by_level},  # kept for existing clients
        "steps_done": t.steps_done, "steps_total": t.steps_total, "overdue_steps": t.overdue,
        "before_subordinates": t.before_subordinates,
    }


def _documents_json(tile) -> dict | None:
    """Congress documents: the unit's own (steps done of total, open comment rounds
    answered) and, below it, documents per kind by steps done, comment requests answered."""
    if tile is None:
        return None
    return {
        "own": [{"kind": o.kind, "title": o.title, "steps_done": o.done, "steps_total": o.total,
                 "comments_requested": o.requests, "comments_answered": o.answered} for o in tile.own],
        "below": {k.kind: {"steps_total": k.total, "documents": k.documents,
                           "by_steps_done": {str(done): n for done, n in k.rows}} for k in tile.below},
        "comment_requests": {"requests": tile.requests, "answered": tile.answered},
    }


def child_json(row: ChildRow) -> dict:
    return {
        "id": row.unit.pk, "code": row.unit.code, "name": row.unit.name, "level": row.unit.level,
        "congress": _congress_json(row.congress), "deadline": _deadline_json(row.deadline),
        "light": row.light, "reasons": row.reasons, "reason": row.reason,
        "subtree": _totals_json(row.totals),
        # Issue 14: open, overdue and personnel petitions of the child's subtree: counts only.
        "petitions": row.petitions.as_dict(),
    }


def dashboard_json(d: Dashboard) -> dict:
    """The dashboard's document without its children (the last key, "children": [])."""
    return {
        "unit": {"id": d.unit.pk, "code": d.unit.code, "name": d.unit.name, "level": d.unit.level},
        "term": d.term.name,
        "terms": [{"name": t.name, "levels": d.terms.levels_of(t)} for t in d.terms.terms],
        "as_of": d.today.isoformat(),
        "congress": _congress_json(d.congress),
        "deadline": _deadline_json(d.deadline),
        "subtree": _totals_json(d.totals),
        "steps": [{"code": s.step.code, "title": s.step.title, "done": s.done, "total": s.total} for s in d.steps],
        "checklist": [
            {"code": s.step.code, "title": s.step.title, "status": s.milestone.status,
             "due_date": _date(s.milestone.due_date), "done_on": _date(s.milestone.done_on),
             "overdue": s.milestone.is_overdue(d.today)}
            for s in d.steps if s.milestone is not None
        ],
        "checks": {
            "before_subordinates": d.totals.before_subordinates, "after_deadline": d.after_deadline,
            "own": d.own_issues,
        },
        "deadlines": {level: day.isoformat() for level, day in d.deadlines.items()},
        "calendar": [
            {"level": r.level, "date": r.date.isoformat(), "congresses": r.congresses, "pilots": r.pilots}
            for r in d.dates
        ],
        "documents": _documents_json(d.documents),
        # Issue 14: open, overdue and personnel petitions of the subtree: counts only.
        "petitions": d.own_petitions.as_dict(),
        "children": [],
    }


def _dumps(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def json_body(unit: Unit, found: Lookup, today: dt.date, language: str) -> str:
    """The dashboard's JSON text: the children's entries in the tree's name order, each
    cached under its child's version like the HTML rows."""
    if found.body is not None:
        return found.body
    rows = _rows("json", unit, found, today, language)
    d = _dashboard(unit, found, rows, today)
    rows.valid.update({row.unit.pk: _dumps(child_json(row)) for row in d.children})
    head = _dumps(dashboard_json(d))
    assert head.endswith('"children": []}')  # noqa: S101  (the splice below relies on it)
    parts, offsets, at = [head[:-3] + "["], {}, len(head) - 2
    for i, child in enumerate(rows.children):
        entry = rows.valid[child.pk]
        if i:
            parts.append(", ")
            at += 2
        parts.append(entry)
        offsets[child.pk] = (at, at + len(entry))
        at += len(entry)
    body = "".join(parts) + "]}"
    _store(found, rows, body, offsets, "json")
    return body
