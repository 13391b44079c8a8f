"""One search box for the portal (issue 12, point 7): units, congresses, congress
documents (by title and by the text of their latest version) and working groups,
accent-insensitive, ranked, within the user's scope only.

- PostgreSQL: full-text search, `to_tsvector('simple', unaccent(…))` against
  `plainto_tsquery('simple', <folded query>)`, ranked with ts_rank (titles weigh more than
  a document's text). The `unaccent` extension is created by documents' migration 0003.
- SQLite (the embedded default): every word of the folded query must occur in the
  folded text (LIKE); documents keep their folded text in `search_text`, other names are
  folded by `portal_fold()`, core.text.fold registered as an SQL function. Ranked by
  whether the name or title matches, then by name.

Folding is core.text.fold everywhere, so both back ends find the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, F, FloatField, Func, Q, QuerySet, Value, When
from django.urls import reverse

from core.text import fold

LIMIT = 20  # hits per kind


def register_sqlite_fold(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("portal_fold", 1, fold, deterministic=True)


@dataclass
class Hit:
    kind: str
    title: str
    detail: str
    url: str
    rank: float


class _Fold(Func):
    function = "portal_fold"


class _Unaccent(Func):
    function = "unaccent"


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _ranked(qs: QuerySet, fields: list[tuple[str, str]], words: list[str], folded: str) -> QuerySet:
    """`qs` filtered to rows whose `fields` ([(field, weight)]) hold every word, with a
    `rank` annotation, best first."""
    if _postgres():
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = None
        for name, weight in fields:
            part = SearchVector(_Unaccent(F(name)), config="simple", weight=weight)
            vector = part if vector is None else vector + part
        query = SearchQuery(folded, config="simple", search_type="plain")
        return (qs.annotate(search=vector, rank=SearchRank(vector, query))
                .filter(search=query).order_by("-rank", "pk"))
    q = Q()
    for i, (name, _weight) in enumerate(fields):
        alias = f"_f{i}"
        qs = qs.alias(**{alias: _Fold(F(name))})
        every = Q()
        for word in words:
            every &= Q(**{f"{alias}__contains": word})
        q |= every
    qs = qs.filter(q)
    # The first field (a name or title) holding the whole query ranks first.
    rank = Case(When(_f0__contains=folded, then=Value(1.0)), default=Value(0.5), output_field=FloatField())
    return qs.annotate(rank=rank).order_by("-rank", "pk")


def search(user, query: str) -> list[Hit]:
    """What `query` finds in the user's scope, best first within each kind."""
    from committees.models import Unit
    from congresses.models import Congress
    from workgroups.models import WorkingGroup

    from .models import CongressDocument

    folded = fold(query)
    words = folded.split()
    if not words:
        return []
    hits: list[Hit] = []
    for unit in _ranked(Unit.objects.visible_to(user), [("name", "A"), ("code", "B")], words, folded)[:LIMIT]:
        hits.append(Hit("unit", unit.name, unit.code, reverse("committees:unit_detail", args=[unit.pk]),
                        float(unit.rank)))
    congresses = Congress.objects.visible_to(user).select_related("unit", "term")
    for c in _ranked(congresses, [("unit__name", "A"), ("term__name", "B")], words, folded)[:LIMIT]:
        hits.append(Hit("congress", c.unit.name, c.term.name, c.get_absolute_url(), float(c.rank)))
    documents = CongressDocument.objects.visible_to(user).select_related("congress__unit")
    if _postgres():
        doc_qs = _ranked(documents, [("title", "A"), ("search_text", "B")], words, folded)
    else:
        # The stored folded text: no function call per row.
        every = Q()
        for word in words:
            every &= Q(search_text__contains=word)
        doc_qs = documents.filter(every).annotate(rank=Case(
            When(search_text__startswith=folded, then=Value(1.0)), default=Value(0.5), output_field=FloatField(),
        )).order_by("-rank", "pk")
    for d in doc_qs[:LIMIT]:
        hits.append(Hit("document", d.title, d.congress.unit.name, d.get_absolute_url(), float(d.rank)))
    groups = WorkingGroup.objects.visible_to(user).select_related("unit")
    for g in _ranked(groups, [("name", "A"), ("unit__name", "B")], words, folded)[:LIMIT]:
        hits.append(Hit("working_group", g.name, g.unit.name, reverse("workgroups:group_detail", args=[g.pk]),
                        float(g.rank)))
    return hits


__all__ = ["Hit", "register_sqlite_fold", "search"]
