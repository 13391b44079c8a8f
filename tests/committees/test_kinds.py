"""Vietnamese labels for the codes of unit kinds (issue 10, point 3): on pages, in the
filter, in the import (Vietnamese headers and names), and English-only CLI output."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from committees.importing import import_units, read_file
from committees.models import Level, Unit, UnitKind
from tests.factories import AdminFactory, UnitFactory

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _vietnamese_client(user) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


@pytest.mark.django_db
def test_the_unit_list_shows_kinds_in_vietnamese_and_filters_by_a_choice(province, commune_a, cell_a1):
    client = _vietnamese_client(AdminFactory())
    response = client.get(reverse("committees:unit_list"), {"kind": "commune"})
    content = response.content.decode()
    assert [u.code for u in response.context["page"].object_list] == ["A"]
    assert '<td data-label="Loại hình">Xã</td>' in content
    assert '<select name="kind"' in content and '<option value="cell">Chi bộ</option>' in content
    assert ">commune<" not in content


@pytest.mark.django_db
def test_a_units_badges_do_not_repeat_the_level(province, commune_a):
    client = _vietnamese_client(AdminFactory())
    head = client.get(reverse("committees:unit_detail", args=[province.pk])).content.decode().split("</header>")[1]
    assert "province" not in head.split('class="meta"')[1].split("</p>")[0]
    meta = client.get(reverse("committees:unit_detail", args=[commune_a.pk])).content.decode()
    assert '<span class="tag light">Xã</span>' in meta


@pytest.mark.django_db
def test_the_import_reads_vietnamese_headers_and_names():
    text = (
        "Mã;Mã cấp trên;Tên đơn vị;Cấp;Loại hình\n"
        "T;;Tỉnh ủy Thử;Tỉnh;tinh\n"
        "X;T;Đảng bộ xã Tân Hòa;Cấp trên cơ sở;Xã\n"
        "C;X;Chi bộ thôn 1;co so;Chi bộ\n"
        "S;C;Tổ đảng 1;Sub-grassroots;party group\n"
    )
    report = import_units(read_file("don_vi.csv", text.encode()))
    assert report.ok, report.errors
    assert {u.code: (u.level, u.kind) for u in Unit.objects.all()} == {
        "T": (Level.PROVINCE, UnitKind.PROVINCE), "X": (Level.UPPER, UnitKind.COMMUNE),
        "C": (Level.GRASSROOTS, UnitKind.CELL), "S": (Level.SUB, UnitKind.GROUP),
    }


@pytest.mark.django_db
def test_the_import_refuses_an_unknown_kind():
    with translation.override("en"):
        report = import_units(read_file("u.csv", b"code,parent_code,name,level,kind\nT,,T,province,galaxy\n"))
    assert [e.message for e in report.errors] == [
        "unknown kind \u201cgalaxy\u201d (use one of " + ", ".join(UnitKind.values) + ", or leave it empty)"
    ]


@pytest.mark.django_db
def test_the_import_page_says_which_vietnamese_names_it_accepts():
    content = _vietnamese_client(AdminFactory()).get(reverse("committees:unit_import")).content.decode()
    assert "mã,mã cấp trên,tên,cấp,loại hình" in content
    assert "Cấp trên cơ sở" in content


@pytest.mark.django_db
def test_the_portals_commands_print_english_whatever_the_portals_language(tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("code,parent_code,name,level,kind\nT,,Tỉnh ủy,province,\n", encoding="utf-8")
    out = io.StringIO()
    with translation.override("vi"):
        call_command("import_units", str(path), "--dry-run", stdout=out)
    assert out.getvalue().startswith("Dry run, nothing was written. 1 rows: 1 created")
