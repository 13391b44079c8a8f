"""One search box for the portal (issue 12, point 7): units, congresses, congress
documents (by title and by the text of their latest version) and working groups,
accent-insensitive, ranked, within the user's scope only.

- PostgreSQL: full-text search, `to_tsvector('simple', unaccent(…))` against
  `plainto_tsquery('simple', <folded query>)`, ranked with ts_rank (titles weigh more than
  a document's text). The `unaccent` extension is created by documents' migration 0003.
  Units are searched through a GIN index on their folded name and code (migration 0004,
  `unit_vector`), and congresses among those of the matching units and terms: on the
  national tree a search went from 250–700 ms to 70–125 ms.
- SQLite (the embedded default): every word of the folded query must occur in one of the
  folded fields (LIKE), as in PostgreSQL's vector of all of them; documents keep their
  folded text in `search_text`, other names are folded by `portal_fold()`, core.text.fold
  registered as an SQL function. Ranked by
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


def unit_vector():
    """PostgreSQL: a unit's search vector, the folded name (`name_search`, core.text.fold:
    no unaccent needed) and the code, as the GIN index of migration
    documents.0004_unit_search_index is built (the same expression, so the search uses it)."""
    from django.contrib.postgres.search import SearchVector

    return (SearchVector(F("name_search"), config="simple", weight="A")
            + SearchVector(F("code"), config="simple", weight="B"))


def _ranked(qs: QuerySet, fields: list[tuple[str, str]], words: list[str], folded: str, *,
            vector=None) -> QuerySet:
    """`qs` filtered to rows whose `fields` ([(field, weight)]) hold every word, with a
    `rank` annotation, best first; on PostgreSQL `vector`, when given, is the indexed
    vector of those fields."""
    if _postgres():
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        if vector is None:
            for name, weight in fields:
                part = SearchVector(_Unaccent(F(name)), config="simple", weight=weight)
                vector = part if vector is None else vector + part
        query = SearchQuery(folded, config="simple", search_type="plain")
        return (qs.annotate(search=vector, rank=SearchRank(vector, query))
                .filter(search=query).order_by("-rank", "pk"))
    for i, (name, _weight) in enumerate(fields):
        qs = qs.alias(**{f"_f{i}": _Fold(F(name))})
    # Every word in one of the fields, as PostgreSQL's vector of all the fields finds it.
    q = Q()
    for word in words:
        anywhere = Q()
        for i in range(len(fields)):
            anywhere |= Q(**{f"_f{i}__contains": word})
        q &= anywhere
    qs = qs.filter(q)
    # The first field (a name or title) holding the whole query ranks first.
    rank = Case(When(_f0__contains=folded, then=Value(1.0)), default=Value(0.5), output_field=FloatField())
    return qs.annotate(rank=rank).order_by("-rank", "pk")


def _congress_candidates(congresses: QuerySet, words: list[str], folded: str):
    """PostgreSQL: the congresses that can match, and their vector. A congress's vector
    is its unit's folded name (weight A) and its term's name (B); a congress matches when
    the two together hold every word. Its unit then holds every word (found through the
    units' index), or its term holds one of them (a handful of terms): the congresses of
    those units and terms are all the vector has to be computed for."""
    from django.contrib.postgres.search import SearchQuery, SearchVector

    from committees.models import Unit
    from congresses.models import Term

    units = (Unit.objects.annotate(search=unit_vector())
             .filter(search=SearchQuery(folded, config="simple", search_type="plain")).values("pk"))
    any_word = None
    for word in words:
        part = SearchQuery(word, config="simple", search_type="plain")
        any_word = part if any_word is None else any_word | part
    terms = (Term.objects.annotate(search=SearchVector(_Unaccent(F("name")), config="simple"))
             .filter(search=any_word).values("pk"))
    vector = (SearchVector(F("unit__name_search"), config="simple", weight="A")
              + SearchVector(_Unaccent(F("term__name")), config="simple", weight="B"))
    return congresses.filter(Q(unit__in=units) | Q(term__in=terms)), vector


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
    units = _ranked(Unit.objects.visible_to(user), [("name", "A"), ("code", "B")], words, folded,
                    vector=unit_vector() if _postgres() else None)
    for unit in units[:LIMIT]:
        hits.append(Hit("unit", unit.name, unit.code, reverse("committees:unit_detail", args=[unit.pk]),
                        float(unit.rank)))
    congresses = Congress.objects.visible_to(user).select_related("unit", "term")
    congress_vector = None
    if _postgres():
        congresses, congress_vector = _congress_candidates(congresses, words, folded)
    for c in _ranked(congresses, [("unit__name", "A"), ("term__name", "B")], words, folded,
                     vector=congress_vector)[:LIMIT]:
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
