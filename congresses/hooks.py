"""What else may colour a congress's light, registered by the apps that know.

The light of a unit's row (`congresses.selectors.congress_light`) says what threatens its
congress. Some threats belong to later apps: an open petition about personnel must be
resolved before the congress (DOMAIN.md "Petition"). Such an app registers a rule in its
AppConfig.ready:

    from congresses import hooks
    hooks.register_light_rule(hooks.LightRule(name="petitions", annotations=…, problems=…))

`annotations(today)` gives expressions (correlated subqueries on the congress row) that
the pages computing lights add to the congress query they already run, so a rule costs
no query; `problems(congress, today)` reads them back and returns (Light, reason) pairs.
The reasons are shown on dashboards and in exports: they name no person. Congresses
import nothing of those apps: the arrow points from the later app to this one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class LightRule:
    name: str
    annotations: Callable[[dt.date], dict]
    problems: Callable[[object, dt.date], Iterable[tuple]]


_rules: dict[str, LightRule] = {}


def register_light_rule(rule: LightRule) -> LightRule:
    """Add a rule; registering the same name again keeps the first (a module reloaded)."""
    return _rules.setdefault(rule.name, rule)


def unregister_light_rule(name: str) -> None:
    _rules.pop(name, None)


def light_annotations(today: dt.date) -> dict:
    """The annotations every registered rule reads, for `Congress.objects.annotate(**…)`."""
    out: dict = {}
    for rule in _rules.values():
        out.update(rule.annotations(today))
    return out


def light_rule_names() -> tuple[str, ...]:
    """The registered rules, by name: what `light_annotations` adds to a query depends on
    these alone (a prepared query keys its compiled SQL by them, core.sql)."""
    return tuple(sorted(_rules))


def light_problems(congress, today: dt.date) -> list[tuple]:
    """Every (Light, reason) the registered rules find about `congress`."""
    return [problem for rule in _rules.values() for problem in rule.problems(congress, today)]
