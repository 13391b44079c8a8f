"""The rendered body of a unit's dashboard, cached until what it shows changes.

A dashboard is the same for everyone allowed to open it (the breadcrumbs, which depend
on the user's scope, are drawn outside the cached part), so it is rendered once and kept
under a key made of the unit, the current terms (one per level, several at once: every
one of them, since the page counts each unit in the term current for its level), the day (overdue counts move at midnight), the
language and two version tokens:

- the unit's version, replaced whenever the domain says the unit's figures changed
  (`progress.signals.units_changed`: every roll-up row written for the unit, its own
  congress) and when the unit's name changes;
- a global version, replaced when a term, its plan or its deadlines change, and when the
  domain says anything may have changed (a rebuild, an import).

The rows of a dashboard's children (HTML and JSON) are kept inside its body's value,
each with its child's version, and with the list of children they were read for under a
third token, the tree's (`TREE_KEY`, replaced when any unit is saved or deleted): a
change below a unit replaces the tokens of the units on its path, so the next reader
renders the headline counts and the one child row on that path afresh and takes the list
of children and every other row from the stale body (dashboards.bodies).

Tokens are replaced after the transaction commits (the domain's signal is sent on
commit), so a reader never caches a state that was rolled back; a token missing from the
cache (evicted, or a new deployment) is created on first read, which makes every body
cached under the old one unreachable.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

BODY_TIMEOUT = 24 * 3600
_UNIT = "dashboard:v:{}"
_QUIET = "dashboard:q:{}"
_ALL = "dashboard:v:all"


def _token() -> int:
    """A fresh version: a random 62-bit integer, which Django's Redis backend stores as
    digits rather than a pickle (a cold dashboard reads one per child)."""
    return uuid.uuid4().int >> 66


def replace_tokens(unit_ids: Iterable[int] | None, *, with_quiet: bool = True) -> None:
    """Invalidate the dashboards of these units (of every unit for None) now: for callers
    that run after the commit, such as the receiver of the domain's signal.
    `with_quiet=False` when the change leaves the sections a tick does not move as they
    are (`quiet_key`)."""
    if unit_ids is None:
        cache.set(_ALL, _token(), timeout=None)
        return
    ids = set(unit_ids)
    keys = {_UNIT.format(pk) for pk in ids} | ({_QUIET.format(pk) for pk in ids} if with_quiet else set())
    if keys:
        cache.set_many({k: _token() for k in keys}, timeout=None)


def bump(unit_ids: Iterable[int] | None) -> None:
    """Invalidate the dashboards of these units (of every unit for None) once the
    transaction commits."""
    transaction.on_commit(partial(replace_tokens, None if unit_ids is None else frozenset(unit_ids)))


@functools.cache
def release() -> str:
    """What the rendered body depends on besides the data: the templates and the code that
    draws it. A digest of those files, computed once per process, so that a deployment that
    changes them never serves bodies cached by the previous release (the tokens above only
    follow the data). PORTAL_RELEASE, when set (e.g. the deployed commit), is used instead."""
    if getattr(settings, "PORTAL_RELEASE", ""):
        return settings.PORTAL_RELEASE
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    # templates/**: the Jinja templates of the body (templates/jinja2/) too; core's jinja.py
    # and markup.py: the helpers those templates call.
    drawing = [settings.BASE_DIR / "core" / "jinja.py", settings.BASE_DIR / "core" / "markup.py"]
    files = sorted((settings.BASE_DIR / "templates").rglob("*.html")) + sorted(here.glob("*.py")) + drawing
    for path in files:
        digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _terms(term_ids: Iterable[int]) -> str:
    return "-".join(str(pk) for pk in term_ids)


def body_key(unit_id: int, term_ids: Iterable[int], today: dt.date, language: str, kind: str = "html") -> str:
    """Where a unit's whole body is kept (`kind` "html" or "json"). The value carries the
    versions it was rendered under, `(unit version, global version, body, what rebuilds
    it)`, checked on read (dashboards.bodies): the versions and the body then come in one
    round trip, and a replaced body leaves nothing behind."""
    return f"dashboard:body:{release()}:{kind}:{unit_id}:{_terms(term_ids)}:{today.isoformat()}:{language}"


def unit_key(unit_id: int) -> str:
    """The key of a unit's version token."""
    return _UNIT.format(unit_id)


def quiet_key(unit_id: int) -> str:
    """The key of a unit's second token, for the sections of its dashboard that a
    milestone ticked below does not move (the congress calendar, documents, petitions,
    personnel plans: `selectors.Quiet`). Replaced with the unit's own token, except when
    the domain says only counters the dashboard reads afresh at every rebuild changed
    (`selectors.REBUILT_COUNTERS`, dashboards.signals): at national scale, most changes."""
    return _QUIET.format(unit_id)


GLOBAL_KEY = _ALL
# The tree's version: replaced when a unit is saved or deleted (dashboards.signals), so
# that a dashboard's list of children, kept with its rows, is read again.
TREE_KEY = "dashboard:v:tree"


def fill_tokens(found: dict, keys: Iterable[str]) -> dict:
    """`found` (a get_many of these token keys, perhaps with other keys) with every token
    missing from the cache created. Read them *before* the data they guard: a change
    committed in between then only makes the reader cache its (older) figures under the
    old token, which nobody asks for again."""
    missing = {k: _token() for k in keys if k not in found}
    if missing:
        cache.set_many(missing, timeout=None)
        found.update(missing)
    return found


# ---------------------------------------------------------------------------------------
# The current terms, their deadlines and plans, per global version. They change only
# when a term, a plan step or a deadline is saved, and each of those replaces the global
# token (dashboards.signals): so a process keeps what it read under the token it read
# *before* them, and a page never pays the two queries of `current_terms()` (nor the
# plan's) while the token stands. A newer token is a miss; an older state cached under
# an old token is never asked for again.


@dataclass
class Plan:
    """The current terms and, read on first use, their plan steps."""

    terms: object  # congresses.selectors.CurrentTerms
    _steps: list | None = field(default=None, repr=False)

    @property
    def steps(self) -> list:
        """The current terms' plan steps, the highest level's term first, in plan order."""
        if self._steps is None:
            from congresses.models import PlanStep

            order = {t.pk: i for i, t in enumerate(self.terms.terms)}
            self._steps = sorted(PlanStep.objects.filter(term_id__in=order),
                                 key=lambda s: (order[s.term_id], s.order, s.code))
        return self._steps


_PLANS: dict[int | str, Plan] = {}
_PLANS_KEPT = 8
_plans_lock = threading.Lock()


def plan_for(everything: int) -> Plan:
    """The current terms as of the global version `everything` (read from the cache before
    this call): from this process's memory, or read (two queries) and kept."""
    plan = _PLANS.get(everything)
    if plan is None:
        from congresses.selectors import current_terms

        plan = Plan(current_terms())
        with _plans_lock:
            if len(_PLANS) >= _PLANS_KEPT:
                _PLANS.clear()
            _PLANS[everything] = plan
            _PLANS["last"] = plan
    return plan


def last_plan() -> Plan | None:
    """The plan this process read last: its term ids name the body a reader most likely
    wants, so that the body can be read with the tokens (dashboards.bodies)."""
    return _PLANS.get("last")


def quiet_figures_key(unit_id: int, term_ids: Iterable[int], today: dt.date, language: str) -> str:
    """Where a unit's quiet sections are kept as the selector read them (selectors.Quiet):
    the value carries the unit's quiet token and the global version it was read under."""
    return f"dashboard:quiet:{release()}:{unit_id}:{_terms(term_ids)}:{today.isoformat()}:{language}"


def figures_key(unit_id: int, term_ids: Iterable[int], today: dt.date, language: str) -> str:
    """Where a unit's figures are kept as the selector read them (selectors.Dashboard, with
    the rows it built), so that the page and the JSON read them once per change, whichever
    comes first: the value carries the unit's and global versions it was read under, and
    each row its child's (dashboards.bodies)."""
    return f"dashboard:figures:{release()}:{unit_id}:{_terms(term_ids)}:{today.isoformat()}:{language}"


def replace_tree_token() -> None:
    """The units' names, codes, levels or places in the tree changed: every cached list of
    children is stale (dashboards.bodies). Now: for callers that run after the commit."""
    cache.set(TREE_KEY, _token(), timeout=None)


def bump_tree() -> None:
    """`replace_tree_token` once the transaction commits."""
    transaction.on_commit(replace_tree_token)
