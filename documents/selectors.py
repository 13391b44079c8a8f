"""Reads for the documents' pages, the "my unit" requests and the dashboard tile."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import CharField, Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from core.sql import Prepared

from .models import (
    CommentRecipient,
    CommentRequestCount,
    CongressDocument,
    DocumentKind,
    DocumentStepCount,
    DraftingStep,
)
from .progress import steps_done_expr


def steps_total_expr(term_ref: str):
    """The number of drafting steps of the term `term_ref` (an outer column)."""
    total = (
        DraftingStep.objects.filter(term_id=OuterRef(term_ref)).order_by().values("term_id")
        .annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def _open_requests(document_ref: str, *, answered: bool | None = None):
    q = Q(round__document_id=OuterRef(document_ref), round__closed_at__isnull=True)
    if answered:
        q &= Q(answered_at__isnull=False)
    rows = (CommentRecipient.objects.filter(q).order_by().values("round__document_id")
            .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def congress_documents(congress) -> list[CongressDocument]:
    """The congress's documents, each with `steps` done of `steps_total` and the open
    rounds' `requests` and `answered`."""
    return list(
        CongressDocument.objects.filter(congress=congress)
        .annotate(steps=steps_done_expr(), steps_total=steps_total_expr("congress__term_id"),
                  requests=_open_requests("pk"), answered=_open_requests("pk", answered=True))
        .order_by("kind", "pk")
    )


def round_ledger(round_, today: dt.date) -> list[CommentRecipient]:
    """Who received the round's version, who answered and when; the late ones first."""
    rows = list(round_.recipients.select_related("unit", "user", "answered_by", "round").late_first(today))
    for row in rows:
        row.late = row.is_late(today)
    return rows


def pending_requests(user, unit_ids) -> list[CommentRecipient]:
    """Open comment requests to the user's units or to the user: the "my unit" box."""
    q = Q(unit_id__in=list(unit_ids)) | Q(user_id=user.pk)
    return list(
        CommentRecipient.objects.filter(q).open()
        .select_related("unit", "round__version", "round__document__congress__unit")
        .order_by("round__deadline", "pk")
    )


# --- The dashboard tile -------------------------------------------------------------------


@dataclass
class OwnDocument:
    pk: int
    kind: str
    title: str
    done: int
    total: int
    requests: int
    answered: int


@dataclass
class KindBelow:
    kind: str
    label: str
    total: int  # steps in the sequence
    at: dict[int, int] = field(default_factory=dict)  # steps done → documents

    @property
    def documents(self) -> int:
        return sum(self.at.values())

    @property
    def rows(self) -> list[tuple[int, int]]:
        """(steps done, documents), the furthest first."""
        return sorted(self.at.items(), reverse=True)

    def at_least(self, steps: int) -> int:
        return sum(n for done, n in self.at.items() if done >= steps)


@dataclass
class DocumentsTile:
    own: list[OwnDocument] = field(default_factory=list)
    below: list[KindBelow] = field(default_factory=list)
    requests: int = 0  # comment requests to units below
    answered: int = 0

    @property
    def empty(self) -> bool:
        return not self.own and not self.below and not self.requests


def _documents_query(*, unit_id: int | None = None, congress_id: int | None = None, term_ids: list[int] = ()):
    """The tile's UNION ALL: the congress's own documents (when `congress_id`), the
    document roll-ups of the unit's subtree (when `unit_id`)."""
    columns = ("src", "k", "d", "n", "a", "r", "t", "ttl", "ident")
    parts = []
    if congress_id is not None:
        parts.append(
            CongressDocument.objects.filter(congress_id=congress_id).order_by()
            .annotate(src=Value("own", output_field=CharField()), k=F("kind"), d=steps_done_expr(),
                      n=Value(1, output_field=IntegerField()), a=_open_requests("pk", answered=True),
                      r=_open_requests("pk"), t=steps_total_expr("congress__term_id"),
                      ttl=F("title"), ident=F("pk"))
            .values_list(*columns)
        )
    if unit_id is not None:
        parts.append(
            DocumentStepCount.objects.filter(unit_id=unit_id, term_id__in=term_ids, documents__gt=0).order_by()
            .annotate(src=Value("below", output_field=CharField()), k=F("kind"), d=F("done"), n=F("documents"),
                      a=Value(0, output_field=IntegerField()), r=Value(0, output_field=IntegerField()),
                      t=steps_total_expr("term_id"), ttl=Value("", output_field=CharField()),
                      ident=Value(0, output_field=IntegerField()))
            .values_list(*columns)
        )
        parts.append(
            CommentRequestCount.objects.filter(unit_id=unit_id, term_id__in=term_ids).order_by()
            .annotate(src=Value("comments", output_field=CharField()), k=Value("", output_field=CharField()),
                      d=Value(0, output_field=IntegerField()), n=F("requests"), a=F("answered"),
                      r=Value(0, output_field=IntegerField()), t=Value(0, output_field=IntegerField()),
                      ttl=Value("", output_field=CharField()), ident=Value(0, output_field=IntegerField()))
            .values_list(*columns)
        )
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


# Built once per shape (core.sql): the ORM's SQL, run again with the dashboard's ids.
_documents = Prepared(_documents_query)


def dashboard_documents(*, unit, congress, term_ids: list[int], subtree: bool = True) -> DocumentsTile:
    """The unit's own documents (steps done of total, open rounds answered) and the
    document roll-ups of its subtree, in one query (a UNION ALL): the dashboard's query
    count stays fixed whatever the tree."""
    arguments = {}
    if congress is not None:
        arguments["congress_id"] = congress.pk
    if subtree:
        arguments.update(unit_id=unit.pk, term_ids=list(term_ids))
    tile = DocumentsTile()
    if not arguments:
        return tile
    query = _documents("documents", **arguments)
    below: dict[str, KindBelow] = {}
    labels = dict(DocumentKind.choices)
    for src, kind, done, n, answered, requests, total, title, ident in query:
        if src == "own":
            tile.own.append(OwnDocument(ident, kind, title, done, total, requests, answered))
        elif src == "below":
            row = below.setdefault(kind, KindBelow(kind, str(labels.get(kind, kind)), total))
            row.total = max(row.total, total)
            row.at[done] = row.at.get(done, 0) + n
        else:
            tile.requests += n
            tile.answered += answered
    order = list(labels)
    tile.own.sort(key=lambda d: (order.index(d.kind) if d.kind in order else 99, d.pk))
    tile.below = sorted(below.values(), key=lambda r: order.index(r.kind) if r.kind in order else 99)
    return tile
