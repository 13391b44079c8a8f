"""Vietnamese order and accent-insensitive search of unit names (issue 10, point 4), on
SQLite and on PostgreSQL (the same tests run on both: bin/test with DATABASE_URL)."""

import pytest
from django.urls import reverse

from committees import services
from committees.importing import import_units, read_file
from committees.models import Level, Unit
from committees.names import fold, name_order, sort_key
from tests.factories import AdminFactory, UnitFactory

PROVINCES = ["Gia Lai", "Đà Nẵng", "Cà Mau", "Thuần Thành", "Thành phố Huế", "Dak Lak", "An Giang", "Ân Thi"]
VIETNAMESE_ORDER = ["An Giang", "Ân Thi", "Cà Mau", "Dak Lak", "Đà Nẵng", "Gia Lai", "Thành phố Huế", "Thuần Thành"]


def test_the_sort_key_puts_names_in_vietnamese_order():
    assert sorted(PROVINCES, key=sort_key) == VIETNAMESE_ORDER
    # Tones only break ties, in dictionary order: none, huyền, hỏi, ngã, sắc, nặng.
    assert sorted(["ma", "mạ", "má", "mã", "mả", "mà"], key=sort_key) == ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert sort_key("Đà Nẵng") == sort_key("  Đà Nẵng ")


def test_folding_drops_case_tones_and_marks():
    assert fold("Thạnh  Bình") == "thanh binh"
    assert fold("ĐÀ NẴNG") == fold("đa nang") == "da nang"
    assert fold("Ưu Ơn Ấp") == "uu on ap"


@pytest.fixture
def provinces(db):
    root = UnitFactory(code="VN", name="Trung ương", level=Level.CENTRAL)
    return root, {name: UnitFactory(code=f"P{i}", name=name, level=Level.PROVINCE, parent=root)
                  for i, name in enumerate(PROVINCES)}


def test_units_sort_in_vietnamese_order_in_the_database(provinces):
    root, _units = provinces
    names = list(Unit.objects.filter(parent=root).order_by(name_order()).values_list("name", flat=True))
    assert names == VIETNAMESE_ORDER
    assert names.index("Cà Mau") < names.index("Đà Nẵng") < names.index("Gia Lai")


def test_the_unit_list_finds_names_without_accents_or_case(provinces, client_for):
    root, units = provinces
    UnitFactory(code="TB", name="Đảng bộ xã Thạnh Bình", level=Level.UPPER, parent=units["Gia Lai"])
    client = client_for(AdminFactory())

    def found(q):
        page = client.get(reverse("committees:unit_list"), {"q": q}).context["page"]
        return [u.name for u in page.object_list]

    assert found("thanh binh") == ["Đảng bộ xã Thạnh Bình"]
    assert found("THẠNH BÌNH") == ["Đảng bộ xã Thạnh Bình"]
    assert found("đa nang") == ["Đà Nẵng"]
    assert found("da nang") == ["Đà Nẵng"]
    # A search lists what it found in Vietnamese order.
    listed = found("an")
    assert listed == sorted(listed, key=sort_key)


def test_the_drill_down_list_finds_names_without_accents(provinces, client_for):
    root, units = provinces
    UnitFactory(code="TB", name="Đảng bộ xã Thạnh Bình", level=Level.UPPER, parent=units["Gia Lai"])
    from tests.factories import TermFactory

    TermFactory()
    response = client_for(AdminFactory()).get(reverse("dashboards:unit_units", args=[root.pk]), {"q": "thanh binh"})
    assert [row.name for row in response.context["page"].object_list] == ["Đảng bộ xã Thạnh Bình"]


def test_every_writer_keeps_the_derived_columns(provinces):
    root, units = provinces
    unit = services.unit_update(unit=units["Cà Mau"], name="Thạnh Bình", level=Level.PROVINCE, kind="", is_active=True)
    unit.refresh_from_db()
    assert (unit.name_key, unit.name_search) == (sort_key("Thạnh Bình"), "thanh binh")
    report = import_units(read_file("u.csv", (
        "code,parent_code,name,level,kind\n"
        "P0,VN,Gia Lai mới,province,\n"  # an update by the import
        "NEW,VN,Đắk Lắk,province,\n"  # a creation by the import
    ).encode()))
    assert report.ok, report.errors
    for code, name in (("P0", "Gia Lai mới"), ("NEW", "Đắk Lắk")):
        unit = Unit.objects.get(code=code)
        assert (unit.name, unit.name_key, unit.name_search) == (name, sort_key(name), fold(name))
