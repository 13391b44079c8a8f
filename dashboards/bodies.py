"""A unit's dashboard body, HTML and JSON, put together from what the cache still holds.

At national scale a milestone ticked anywhere below a unit changes its headline counts and
the one child row on the tick's path, nothing else: the domain's signal replaces the
version tokens of the units on that path (dashboards.cache). So the body is cached whole
under the unit's version, and each child's row on its own under the child's version
(`cache.row_key`); a reader who finds the body gone reads the unit's own figures, takes
every row still valid with one get_many, and builds only the rows whose child changed:
the queries read the unit and those children only (selectors.unit_dashboard, `rows_for`).

A cached row is `(child version, global version, child signature, payload)` and is used
only when all three still match: the versions are read before the figures they guard
(cache.unit_versions), and the signature is the child's name, code and level as the
family query just read them, so that a rename committed between that query and the
tokens' read cannot leave a row with the old name under the new version.

The HTML row is cached without its position (`data-risk`, the rank among its siblings,
and `data-name`, its rank in name order), which depends on the other rows: they are
written when the rows are put together, sorted worst first (charts.risk_rank) from the
light and overdue count kept beside each row.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.template import engines
from django.urls import reverse
from django.utils.safestring import mark_safe

from committees.models import Unit
from congresses.selectors import CurrentTerms

from . import cache as dashboard_cache
from .charts import calendar_charts, child_bar, light_summary, risk_rank
from .lists import check_urls
from .selectors import ChildRow, Dashboard, unit_dashboard, unit_family

# Jinja templates (templates/jinja2/, core/jinja.py): about twice as fast as DTL here,
# the bulk of a cold dashboard (issue 15).
ROW_TEMPLATE = "dashboards/includes/child_row.html"
BODY_TEMPLATE = "dashboards/unit_dashboard.html"


def _jinja(name: str):
    return engines["jinja2"].get_template(name)


def _signature(unit: Unit) -> str:
    return f"{unit.code}\x1f{unit.name}\x1f{unit.level}"


def _cached_rows(kind: str, children: list[Unit], term_ids: list[int], today: dt.date,
                 language: str) -> tuple[dict[int, object], dict[int, str], dict[int, str]]:
    """The rows still valid, {child id: payload}; the children's versions (to store fresh
    rows under); and the rows' keys. The tokens and the rows come in one round trip (a
    single MGET, so they are read together and before the figures they guard)."""
    token_keys = {c.pk: dashboard_cache.unit_key(c.pk) for c in children}
    keys = {c.pk: dashboard_cache.row_key(kind, c.pk, term_ids, today, language) for c in children}
    found = dashboard_cache.fill_tokens(cache.get_many([*token_keys.values(), *keys.values()]), token_keys.values())
    versions = {pk: found[k] for pk, k in token_keys.items()}
    return found, versions, keys


def _valid_rows(found: dict, children: list[Unit], versions: dict[int, str], everything: str,
                keys: dict[int, str]) -> dict[int, object]:
    rows = {}
    for child in children:
        value = found.get(keys[child.pk])
        if value is not None and value[:3] == (versions[child.pk], everything, _signature(child)):
            rows[child.pk] = value[3]
    return rows


def _store(fresh: dict[Unit, object], versions: dict[int, str], everything: str, keys: dict[int, str],
           body: tuple[str, object]) -> None:
    """The fresh rows and the body, in one round trip."""
    values = {keys[u.pk]: (versions[u.pk], everything, _signature(u), payload) for u, payload in fresh.items()}
    values[body[0]] = body[1]
    cache.set_many(values, timeout=dashboard_cache.BODY_TIMEOUT)


@dataclass
class Lookup:
    """What a dashboard request finds first, in one round trip to the cache: the unit's and
    the global version tokens, the current terms as of the global one (dashboards.cache
    `plan_for`), and the body when it is still valid."""

    plan: dashboard_cache.Plan
    key: str
    version: str
    everything: str
    body: object | None

    @property
    def terms(self) -> CurrentTerms:
        return self.plan.terms

    def value(self, body) -> tuple[str, tuple]:
        return self.key, (self.version, self.everything, body)


def lookup(unit: Unit, today: dt.date, language: str, kind: str) -> Lookup:
    """The tokens, the terms and the cached body (`kind` "html" or "json"). The body's key
    names the current terms: it is read with the tokens under the terms this process saw
    last, and read again only when the global token says they changed."""
    token_keys = [dashboard_cache.unit_key(unit.pk), dashboard_cache.GLOBAL_KEY]
    guess = dashboard_cache.last_plan()
    guessed = None if guess is None else dashboard_cache.body_key(
        unit.pk, [t.pk for t in guess.terms.terms], today, language, kind)
    found = dashboard_cache.fill_tokens(cache.get_many(token_keys + ([guessed] if guessed else [])), token_keys)
    version, everything = found[token_keys[0]], found[token_keys[1]]
    plan = dashboard_cache.plan_for(everything)
    key = dashboard_cache.body_key(unit.pk, [t.pk for t in plan.terms.terms], today, language, kind)
    value = found.get(key) if key == guessed else (cache.get(key) if plan.terms.terms else None)
    body = value[2] if value is not None and value[:2] == (version, everything) else None
    return Lookup(plan=plan, key=key, version=version, everything=everything, body=body)


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


def _children_html(children: list[Unit], rows: dict[int, dict]) -> dict:
    """The children's table rows, worst first, and the summary of their lights."""
    ranked = sorted(enumerate(children), key=lambda ic: risk_rank(rows[ic[1].pk]["light"], rows[ic[1].pk]["overdue"], ic[0]))
    html = "".join(f'\n  <tr id="child-{child.pk}" data-risk="{i}" data-name="{rank}"{rows[child.pk]["html"]}'
                   for i, (rank, child) in enumerate(ranked))
    return {"count": len(children), "rows": mark_safe(html),
            "summary": light_summary([rows[c.pk]["light"] for c in children])}


def html_body(unit: Unit, found: Lookup, today: dt.date, language: str) -> tuple[str, list[Unit] | None]:
    """The dashboard's body, and the unit's ancestors when they were read on the way (None
    when the body came whole from the cache)."""
    if found.body is not None:
        return found.body, None
    terms = found.terms
    term_ids = [t.pk for t in terms.terms]
    ancestors, children = unit_family(unit)
    cached, versions, keys = _cached_rows("html", children, term_ids, today, language)
    rows = _valid_rows(cached, children, versions, found.everything, keys)
    d = unit_dashboard(unit=unit, terms=terms, today=today, family=(ancestors, children),
                       rows_for={c.pk for c in children} - rows.keys(),
                       plan=found.plan.steps if children else None)
    fresh = {}
    if d.children:
        _link_children(d.children)
        template = _jinja(ROW_TEMPLATE)
        fresh = {row.unit: _html_row(template, row) for row in d.children}
        rows.update({u.pk: payload for u, payload in fresh.items()})
    body = mark_safe(_jinja(BODY_TEMPLATE).render({  # noqa: S308 (Jinja autoescapes; the page prints it as is)
        "d": d, "charts": calendar_charts(d), "check_urls": check_urls(d.unit),
        "children": _children_html(children, rows) if children else None,
    }))
    _store(fresh, versions, found.everything, keys, found.value(body))
    return body, d.ancestors


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
        "units": t.units_total, "units_by_level": t.units, "registered": t.registered,
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
    terms = found.terms
    term_ids = [t.pk for t in terms.terms]
    ancestors, children = unit_family(unit)
    cached, versions, keys = _cached_rows("json", children, term_ids, today, language)
    rows = _valid_rows(cached, children, versions, found.everything, keys)
    d = unit_dashboard(unit=unit, terms=terms, today=today, family=(ancestors, children),
                       rows_for={c.pk for c in children} - rows.keys(),
                       plan=found.plan.steps if children else None)
    fresh = {row.unit: _dumps(child_json(row)) for row in d.children}
    rows.update({u.pk: payload for u, payload in fresh.items()})
    head = _dumps(dashboard_json(d))
    assert head.endswith('"children": []}')  # noqa: S101  (the splice below relies on it)
    body = head[:-3] + "[" + ", ".join(rows[c.pk] for c in children) + "]}"
    _store(fresh, versions, found.everything, keys, found.value(body))
    return body
