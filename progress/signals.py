"""The one signal by which the domain tells presentation what changed.

`units_changed` is sent after the transaction commits (never for a rolled-back change),
with `unit_ids`, the units whose own figures or subtree totals changed, or `unit_ids=None`
when anything may have changed (a rebuild, an import that renamed units), and `counters`:
the names of the registered counters (progress.registry) whose figures of those units
changed, when that is all that changed, or None when anything about those units may have
(a transaction sends it once per kind of change, so the union is what changed). The
dashboards listen to drop their cached pages; the domain never imports them.
"""

from django.dispatch import Signal

units_changed = Signal()
