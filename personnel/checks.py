"""The automatic checks of a personnel plan (issue 13, point 4), in Python: they read the
nominees' decrypted fields, which the database cannot (personnel.fields), and a plan has
tens of nominees. The same functions run live on the edit pages, on submission, and on the
results (the composition actually elected).

Each check carries its figures, as the superior reads them: "Women 3/15 = 20% ≥ 15% ✓".
A failing check is a warning the secretary acknowledges with a reason before submitting.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import DEFAULT_TARGETS, EXCLUSIVE_POSTS, Body, CompositionTarget, Gender

COMPOSITION = ("women", "young", "minority", "new")


@dataclass
class Check:
    code: str
    ok: bool
    figures: str
    details: list[str] = field(default_factory=list)  # names: shown on the plan's pages only

    @property
    def text(self) -> str:
        return f"{self.figures} {'✓' if self.ok else '✗'}"


def targets_for(term, level: str) -> CompositionTarget:
    """The target of the term for the level, else the level's default (no term), else the
    built-in defaults (unsaved)."""
    found = {t.term_id: t for t in CompositionTarget.objects.filter(level=level, term_id__in=[term.pk])}
    if term.pk in found:
        return found[term.pk]
    default = CompositionTarget.objects.filter(level=level, term__isnull=True).first()
    return default or CompositionTarget(level=level, **DEFAULT_TARGETS)


def age_on(born: dt.date, day: dt.date) -> int:
    """Whole years on `day` (a birthday on the day counts)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def pct(n: int, total: int) -> Decimal:
    return Decimal(n) * 100 / total if total else Decimal(0)


def fmt_pct(value: Decimal) -> str:
    text = f"{float(value):.1f}"
    return text[:-2] if text.endswith(".0") else text


def _share(code: str, label: str, n: int, total: int, target: Decimal) -> Check:
    share = pct(n, total)
    ok = total > 0 and share >= target or target == 0
    return Check(code, ok, f"{label} {n}/{total} = {fmt_pct(share)}% ≥ {fmt_pct(target)}%")


def composition(people: Sequence, targets: CompositionTarget, day: dt.date | None) -> list[Check]:
    """The composition targets over `people` (the executive committee's nominees, or its
    members elected)."""
    total = len(people)
    women = sum(1 for p in people if p.gender == Gender.FEMALE)
    minority = sum(1 for p in people if p.is_minority)
    new = sum(1 for p in people if not p.renominated)
    checks = [_share("women", _("Women"), women, total, targets.women_min_pct)]
    if day is None:
        checks.append(Check("young", False, _("Under %(age)s: the congress date is not set") % {
            "age": targets.young_age}))
    else:
        young = sum(1 for p in people if p.date_of_birth and age_on(p.date_of_birth, day) < targets.young_age)
        checks.append(_share("young", _("Under %(age)s") % {"age": targets.young_age}, young, total,
                             targets.young_min_pct))
    checks.append(_share("minority", _("Ethnic minorities"), minority, total, targets.minority_min_pct))
    checks.append(_share("new", _("New members"), new, total, targets.new_min_pct))
    return checks


def surplus(plan, nominees: Sequence, targets: CompositionTarget) -> list[Check]:
    """Nominees per body between the seats and the seats plus the surplus (rounded down)."""
    checks = []
    for body, seats in plan.seats().items():
        n = sum(1 for p in nominees if body in p.bodies)
        if not seats and not n:
            continue
        most = seats + math.floor(seats * targets.surplus_max_pct / 100)
        ok = seats <= n <= most
        label = Body(body).label
        checks.append(Check(f"surplus_{body}", ok, _(
            "%(body)s: %(n)s nominees for %(seats)s seats (%(least)s–%(most)s)") % {
                "body": label, "n": n, "seats": seats, "least": seats, "most": most}))
    return checks


def ages(nominees: Sequence, targets: CompositionTarget, day: dt.date | None) -> Check:
    """Every nominee within the age limit at the congress date: the first-nomination limit
    for a new member, the re-nomination limit for one proposed again."""
    if day is None:
        return Check("ages", False, _("Ages: the congress date is not set"))
    over = []
    for p in nominees:
        limit = targets.renominated_max_age if p.renominated else targets.first_max_age
        age = age_on(p.date_of_birth, day)
        if age > limit:
            over.append(_("%(name)s: %(age)s at %(date)s, limit %(limit)s") % {
                "name": p.full_name, "age": age, "date": date_format(day, "SHORT_DATE_FORMAT"), "limit": limit})
    within = len(nominees) - len(over)
    return Check("ages", not over, _(
        "Ages within the limits at %(date)s (first nomination ≤ %(first)s, re-nomination ≤ %(again)s): "
        "%(n)s/%(total)s") % {"date": date_format(day, "SHORT_DATE_FORMAT"), "first": targets.first_max_age,
                              "again": targets.renominated_max_age, "n": within, "total": len(nominees)},
        details=over)


def exclusive(nominees: Sequence) -> Check:
    """One person is not proposed twice for the exclusive posts (secretary, deputy, chair
    of the inspection committee): neither one nominee for two of them, nor the same person
    (name and date of birth) entered twice."""
    problems = []
    seen: dict[tuple, int] = {}
    for p in nominees:
        posts = [b for b in p.bodies if b in EXCLUSIVE_POSTS]
        if len(posts) > 1:
            problems.append(_("%(name)s: %(posts)s") % {
                "name": p.full_name, "posts": ", ".join(str(Body(b).label) for b in posts)})
        key = ((p.full_name or "").strip().casefold(), p.date_of_birth)
        if posts:
            seen[key] = seen.get(key, 0) + 1
            if seen[key] == 2:
                problems.append(_("%(name)s is entered twice") % {"name": p.full_name})
    return Check("exclusive", not problems, _("Exclusive posts: %(n)s person(s) proposed twice") % {
        "n": len(problems)}, details=problems)


def run(plan, nominees: Iterable | None = None) -> list[Check]:
    """Every check of the plan, on its saved nominees or on `nominees` (a form being
    edited)."""
    nominees = list(plan.nominees.all() if nominees is None else nominees)
    congress = plan.congress
    targets = targets_for(congress.term, congress.unit.level)
    day = congress.counts_on
    executive = [p for p in nominees if Body.EXECUTIVE in p.bodies]
    checks = composition(executive, targets, day) if plan.executive_seats else []
    return [*checks, *surplus(plan, nominees, targets), ages(nominees, targets, day), exclusive(nominees)]


def composition_met(checks: Iterable[Check]) -> bool:
    composed = [c for c in checks if c.code in COMPOSITION]
    return bool(composed) and all(c.ok for c in composed)
