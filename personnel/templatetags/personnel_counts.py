"""`{% personnel_counts unit terms as pc %}`: the personnel plans below a unit, per level,
from the roll-up (personnel.selectors.plan_counts) — counts only, never a name. Used by
the dashboards' self-contained include (dashboards/_personnel_counts.html), so that the
dashboards need no code of their own for it."""

from django import template

from committees.models import Level
from personnel import selectors

register = template.Library()


@register.simple_tag
def personnel_counts(unit, terms):
    by_level = selectors.plan_counts(unit, terms)
    rows = [(level, Level(level).label, by_level[level]) for level in Level.values if level in by_level]
    return {"rows": rows, "total": selectors.total(by_level)}
