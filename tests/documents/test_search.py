"""The header's search: accent-insensitive, ranked, within the user's scope only; the
same on SQLite (folded text) and PostgreSQL (full-text search with unaccent)."""

import pytest
from django.urls import reverse

from core.text import fold
from documents import services
from documents.models import DocumentKind
from tests.factories import CongressFactory


def test_fold_removes_vietnamese_marks():
    assert fold("Báo cáo CHÍNH TRỊ của Đảng bộ") == "bao cao chinh tri cua dang bo"


def test_search_finds_political_reports_in_scope_only(term, commune_a, commune_b, secretary_a, client_for):
    mine = services.document_create(congress=CongressFactory(unit=commune_a, term=term),
                                    kind=DocumentKind.POLITICAL_REPORT, title="Báo cáo chính trị Đại hội An Phú",
                                    user=None)
    services.document_create(congress=CongressFactory(unit=commune_b, term=term),
                             kind=DocumentKind.POLITICAL_REPORT, title="Báo cáo chính trị Đại hội Bình Minh",
                             user=None)
    response = client_for(secretary_a).get(reverse("documents:search"), {"q": "bao cao chinh tri"})
    hits = [h for h in response.context["hits"] if h.kind == "document"]
    assert [h.url for h in hits] == [mine.get_absolute_url()]
    units = client_for(secretary_a).get(reverse("documents:search"), {"q": "an phu"}).context["hits"]
    assert {h.kind for h in units} >= {"unit", "congress", "document"}
    assert not any("Bình Minh" in h.title for h in units)


def test_search_reads_the_text_of_the_latest_version(term, commune_a, secretary_a, client_for):
    from tests.documents.conftest import docx_file

    document = services.document_create(congress=CongressFactory(unit=commune_a, term=term),
                                        kind=DocumentKind.DRAFT_RESOLUTION, user=None)
    services.version_upload(document=document, upload=docx_file("nq.docx", ["Phát triển kinh tế số"]), user=None)
    hits = client_for(secretary_a).get(reverse("documents:search"), {"q": "kinh te so"}).context["hits"]
    assert [h.kind for h in hits] == ["document"]


def test_units_and_congresses_are_found_by_name_code_and_term(tree, term, congress_a, admin_user, secretary_b,
                                                              client_for):
    def hits(user, q):
        return {(h.kind, h.title) for h in client_for(user).get(reverse("documents:search"), {"q": q}).context["hits"]}

    assert hits(admin_user, "Chi bộ thôn 1") >= {("unit", tree.cell_a1.name)}
    assert ("unit", tree.commune_a.name) in hits(admin_user, "A")  # by code
    assert ("congress", tree.commune_a.name) in hits(admin_user, "an phu")
    # Words spread over the unit's name and the term's name still find the congress.
    assert hits(admin_user, f"an phu {term.start_year}") == {("congress", tree.commune_a.name)}
    assert hits(admin_user, "zzzz khong co") == set()
    assert hits(secretary_b, "an phu") == set()  # out of B's scope


@pytest.mark.postgres
def test_the_unit_search_can_use_its_index(tree, admin_user):
    from django.db import connection

    from committees.models import Unit
    from documents.search import _ranked, unit_vector

    query = _ranked(Unit.objects.all(), [], ["an", "phu"], "an phu", vector=unit_vector())
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # tiny tables: make the planner show what it can use
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "unit_search_idx" in plan
