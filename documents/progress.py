"""What congress documents count (progress.registry), and how each service's change
reaches the roll-ups.

- documents per term, kind and number of drafting steps done (DocumentStepCount):
  "political report: 3/6 at 57 of 60 units" is the sum of the rows with done ≥ 3;
- comment requests addressed to units, per term, and how many were answered
  (CommentRequestCount): "answered: 58/60 units".

Both are totals over a unit's strict descendants, kept by documents.services in the
same transaction as the change, rebuilt and checked by `rebuild_rollups` like every other
counter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from committees.models import Unit
from progress import registry, rollups

from .models import CommentRecipient, CommentRequestCount, CongressDocument, DocumentStepCount, DocumentStepDone


def steps_done_expr():
    """The number of drafting steps a document (the outer row) has done."""
    done = (
        DocumentStepDone.objects.filter(document_id=OuterRef("pk")).order_by()
        .values("document_id").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(done, output_field=IntegerField()), Value(0))


def _own_documents(unit_ids: list[int]):
    rows = (
        CongressDocument.objects.filter(congress__unit_id__in=unit_ids).annotate(steps=steps_done_expr())
        .values("congress__unit_id", "congress__term_id", "kind", "steps").annotate(n=Count("pk")).order_by()
    )
    for row in rows:
        yield row["congress__unit_id"], (row["congress__term_id"], row["kind"], row["steps"]), (row["n"],)


def _own_requests(unit_ids: list[int]):
    rows = (
        CommentRecipient.objects.filter(unit_id__in=unit_ids)
        .values("unit_id", "round__document__congress__term_id")
        .annotate(n=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False))).order_by()
    )
    for row in rows:
        yield row["unit_id"], (row["round__document__congress__term_id"],), (row["n"], row["answered"])


DOCUMENT_STEPS = registry.register(registry.Counter(
    name="document_steps", model=DocumentStepCount, keys=("term", "kind", "done"), values=("documents",),
    own=_own_documents,
))
COMMENT_REQUESTS = registry.register(registry.Counter(
    name="comment_requests", model=CommentRequestCount, keys=("term",), values=("requests", "answered"),
    own=_own_requests,
))


def document_state(document_id: int) -> tuple | None:
    """(unit, term id, kind, steps done) of a document, or None when it is gone."""
    row = (
        CongressDocument.objects.filter(pk=document_id).annotate(steps=steps_done_expr())
        .values_list("congress__unit_id", "congress__term_id", "kind", "steps").first()
    )
    return row


def document_changed(unit: Unit, before: tuple | None, after: tuple | None) -> None:
    """A document was created (before None), changed kind or steps, or was deleted."""
    rollups.touch([unit.pk])  # the unit's own dashboard shows its documents
    if before == after:
        return
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0])
    for state, sign in ((before, -1), (after, 1)):
        if state is not None:
            _unit_id, term_id, kind, steps = state
            deltas[(term_id, kind, steps)][0] += sign
    rollups.add(DOCUMENT_STEPS, unit.path, {k: v for k, v in deltas.items() if any(v)})


class track_document:  # noqa: N801 — a context manager that reads like a statement
    """Snapshot a document's counted state before a service changes it, and add the
    difference to the ancestors' roll-ups afterwards."""

    def __init__(self, document: CongressDocument | None, unit: Unit):
        self.document_id = document.pk if document is not None else None
        self.unit = unit

    def __enter__(self):
        self.before = document_state(self.document_id) if self.document_id else None
        return self

    def track(self, document_id: int) -> None:
        self.document_id = document_id

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None and self.document_id is not None:
            document_changed(self.unit, self.before, document_state(self.document_id))
        return False


def requests_changed(term_id: int, changes: Iterable[tuple[Unit, int, int]], sender: Unit | None = None) -> None:
    """Comment requests to units were added or answered: (recipient unit, Δ requests,
    Δ answered) each. Recipients with the same parent share their ancestors, so their
    deltas are summed and written together: a round to 60 units costs one upsert."""
    by_parent: dict[int | None, list] = {}
    touched = {sender.pk} if sender is not None else set()
    for unit, requests, answered in changes:
        touched.add(unit.pk)
        entry = by_parent.setdefault(unit.parent_id, [unit, 0, 0])
        entry[1] += requests
        entry[2] += answered
    for unit, requests, answered in by_parent.values():
        rollups.add(COMMENT_REQUESTS, unit.path, {(term_id,): (requests, answered)})
    rollups.touch(touched)
