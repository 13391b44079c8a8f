"""committees.importing: reading .csv/.xlsx files, validating every row, writing the tree."""

import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from committees import services
from committees.importing import HEADER, ImportFileError, Row, import_units, read_file
from committees.models import Level, Unit, encode_segment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def csv_rows(text: str, *, bom: bool = False, encoding: str = "utf-8") -> list[Row]:
    data = text.encode(encoding)
    return read_file("units.csv", (b"\xef\xbb\xbf" if bom else b"") + data)


def assert_tree_consistent() -> None:
    """Every path is the parent's path plus the unit's own segment; depth follows."""
    units = {u.pk: u for u in Unit.objects.all()}
    for unit in units.values():
        parent = units.get(unit.parent_id)
        expected = (parent.path if parent else "") + encode_segment(unit.pk)
        assert unit.path == expected, unit.code
        assert unit.depth == (parent.depth + 1 if parent else 0), unit.code


TREE = """code,parent_code,name,level,kind
T,,Tỉnh ủy Bắc Ninh,province,
X1,T,Đảng bộ xã Tiên Du,upper,commune
X2,T,Đảng bộ Khối cơ quan,upper,bloc
C1,X1,Chi bộ thôn Đông,grassroots,cell
C2,X1,"Chi bộ thôn Tây, xóm 2",grassroots,cell
S1,C1,Chi bộ tổ 1,sub,cell
"""


@pytest.fixture
def province():
    return services.unit_create(code="T", name="Tỉnh ủy", level=Level.PROVINCE)


def test_creates_the_tree_with_paths_and_depths():
    report = import_units(csv_rows(TREE))

    assert report.ok, report.errors
    assert (report.total, report.created, report.updated, report.unchanged) == (6, 6, 0, 0)
    units = {u.code: u for u in Unit.objects.all()}
    assert set(units) == {"T", "X1", "X2", "C1", "C2", "S1"}
    assert units["C2"].name == "Chi bộ thôn Tây, xóm 2"
    assert units["S1"].parent == units["C1"] and units["C1"].parent == units["X1"]
    assert units["S1"].depth == 3 and units["T"].depth == 0
    assert units["X2"].kind == "bloc" and units["T"].kind == ""
    assert list(Unit.objects.under(units["X1"]).values_list("code", flat=True).order_by("code")) == [
        "C1", "C2", "S1", "X1"]
    assert_tree_consistent()


def test_children_may_come_before_their_parent_in_the_file():
    report = import_units(csv_rows("code,parent_code,name,level,kind\nC,X,Chi bộ,grassroots,\nX,T,Xã,upper,\nT,,Tỉnh,province,\n"))

    assert report.ok, report.errors
    assert Unit.objects.get(code="C").parent.code == "X"
    assert_tree_consistent()


def test_new_units_under_a_unit_already_in_the_portal(province):
    report = import_units(csv_rows("code,parent_code,name,level,kind\nX,T,Xã,upper,commune\n"))

    assert report.ok and report.created == 1
    unit = Unit.objects.get(code="X")
    assert unit.parent == province and unit.path.startswith(province.path) and unit.depth == 1


def test_reimport_updates_by_code(province):
    x = services.unit_create(code="X", name="Old name", level=Level.GRASSROOTS, kind="cell", parent=province)

    report = import_units(csv_rows(
        "code,parent_code,name,level,kind\nT,,Tỉnh ủy,province,\nX,T,New name,upper,commune\n"
    ))

    assert report.ok
    assert (report.created, report.updated, report.moved, report.unchanged) == (0, 1, 0, 1)
    x.refresh_from_db()
    assert (x.name, x.level, x.kind, x.parent_id) == ("New name", "upper", "commune", province.pk)
    assert Unit.objects.count() == 2
    assert any("X" in change and "New name" in change for change in report.changes)


def test_reimporting_the_same_file_changes_nothing():
    import_units(csv_rows(TREE))
    before = dict(Unit.objects.values_list("code", "updated_at"))

    report = import_units(csv_rows(TREE))

    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (0, 0, 6)
    assert dict(Unit.objects.values_list("code", "updated_at")) == before


def test_moving_a_unit_moves_its_subtree():
    import_units(csv_rows(TREE))
    x2 = Unit.objects.get(code="X2")

    # X1 (with C1, C2 and S1 below it) goes under X2; nothing else in the file.
    report = import_units(csv_rows("code,parent_code,name,level,kind\nX1,X2,Đảng bộ xã Tiên Du,upper,commune\n"))

    assert report.ok, report.errors
    assert (report.updated, report.moved) == (1, 1)
    units = {u.code: u for u in Unit.objects.all()}
    assert units["X1"].parent == x2
    for code, depth in {"X1": 2, "C1": 3, "C2": 3, "S1": 4}.items():
        assert units[code].path.startswith(x2.path), code
        assert units[code].depth == depth, code
    assert list(Unit.objects.under(x2).values_list("code", flat=True).order_by("code")) == [
        "C1", "C2", "S1", "X1", "X2"]
    assert_tree_consistent()


def test_moving_a_unit_to_the_top_and_swapping_ancestry():
    import_units(csv_rows(TREE))

    # C1 becomes a root and X1 goes under S1, which was below C1: no cycle after the import.
    report = import_units(csv_rows(
        "code,parent_code,name,level,kind\nC1,,Chi bộ thôn Đông,grassroots,cell\nX1,S1,Đảng bộ xã Tiên Du,upper,commune\n"
    ))

    assert report.ok, report.errors
    assert report.moved == 2
    units = {u.code: u for u in Unit.objects.all()}
    assert units["C1"].parent is None and units["C1"].depth == 0
    assert units["X1"].parent == units["S1"] and units["X1"].depth == 2 and units["C2"].depth == 3
    assert list(Unit.objects.under(units["T"]).values_list("code", flat=True).order_by("code")) == ["T", "X2"]
    assert_tree_consistent()


def test_dry_run_writes_nothing():
    import_units(csv_rows(TREE))
    snapshot = list(Unit.objects.values_list("code", "name", "parent_id", "path", "depth", "updated_at"))

    report = import_units(
        csv_rows("code,parent_code,name,level,kind\nX1,X2,Renamed,upper,commune\nN,T,Mới,upper,\n"), dry_run=True
    )

    assert report.ok and report.dry_run
    assert (report.created, report.updated, report.moved) == (1, 1, 1)
    assert len(report.changes) == 2
    assert list(Unit.objects.values_list("code", "name", "parent_id", "path", "depth", "updated_at")) == snapshot


def test_progress_is_reported():
    calls = []
    import_units(csv_rows(TREE), progress=lambda phase, done, total: calls.append((phase, done, total)))

    assert ("validate", 0, 6) in calls and ("validate", 6, 6) in calls
    assert calls[-1] == ("write", 6, 6)


# ---------------------------------------------------------------------------------------
# Bad rows: every one reported with its line number, nothing written.

GOOD_ROW = "OK,,Tỉnh ủy,province,\n"


@pytest.mark.parametrize(
    ("bad_rows", "line", "message"),
    [
        ("A,NOPE,Xã,upper,\n", 3, "unknown parent “NOPE”"),
        ("A,B,Xã A,upper,\nB,A,Xã B,upper,\n", 3, "the parents form a cycle"),
        ("A,OK,Xã,upper,\nA,OK,Xã khác,upper,\n", 4, "duplicate code “A” (first on line 3)"),
        ("A,OK,Xã,commune,\n", 3, "unknown level “commune”"),
        ("A,OK,,upper,\n", 3, "the name is empty"),
        ("A,A,Xã,upper,\n", 3, "the unit is its own parent"),
        (",OK,Xã,upper,\n", 3, "the code is empty"),
        ("A,OK,Xã,upper," + "k" * 65 + "\n", 3, "the kind is longer than 64 characters"),
        ("A" * 65 + ",OK,Xã,upper,\n", 3, "the code is longer than 64 characters"),
    ],
    ids=["unknown-parent", "cycle", "duplicate", "unknown-level", "empty-name", "own-parent", "empty-code",
         "long-kind", "long-code"],
)
def test_a_bad_row_is_reported_and_nothing_is_written(bad_rows, line, message):
    report = import_units(csv_rows("code,parent_code,name,level,kind\n" + GOOD_ROW + bad_rows))

    assert not report.ok
    assert any(e.line == line and e.message.startswith(message) for e in report.errors), report.errors
    assert str(report.errors[0]).startswith(f"line {report.errors[0].line}: ")
    assert report.created == 0
    assert not Unit.objects.exists()


def test_every_bad_row_is_reported_in_line_order(province):
    report = import_units(csv_rows(
        "code,parent_code,name,level,kind\n"
        "X,T,Xã,upper,\n"          # 2: good
        "C1,C2,Chi bộ 1,sub,\n"    # 3: cycle with line 4
        "C2,C1,Chi bộ 2,sub,\n"    # 4
        "\n"                       # 5: blank, skipped
        "D,X,,central,\n"          # 6: empty name
        "E,Z,Chi bộ E,cell,\n"     # 7: unknown parent and unknown level
        "X,T,Xã lặp,upper,\n"      # 8: duplicate
        "S,S,Tự lập,sub,\n"        # 9: its own parent, and only that
    ))

    assert [(e.line, e.code) for e in report.errors] == [
        (3, "C1"), (4, "C2"), (6, "D"), (7, "E"), (7, "E"), (8, "X"), (9, "S")]
    assert [e.message for e in report.errors if e.line == 9] == ["the unit is its own parent"]
    assert Unit.objects.count() == 1


def test_a_cycle_through_units_already_in_the_portal(province):
    services.unit_create(code="X", name="Xã", level=Level.UPPER, parent=province)

    # T under X, while X is (and stays) under T.
    report = import_units(csv_rows("code,parent_code,name,level,kind\nT,X,Tỉnh ủy,province,\n"))

    assert [(e.line, e.message) for e in report.errors] == [(2, "the parents form a cycle")]
    assert Unit.objects.get(code="T").parent is None


def test_a_child_of_a_cycle_is_not_itself_reported():
    report = import_units(csv_rows(
        "code,parent_code,name,level,kind\nA,B,A,upper,\nB,A,B,upper,\nC,A,C,grassroots,\n"
    ))

    assert sorted(e.line for e in report.errors) == [2, 3]


def test_a_tree_too_deep_is_refused():
    lines = ["code,parent_code,name,level,kind", "U0,,Gốc,province,"]
    lines += [f"U{i},U{i - 1},Cấp {i},sub," for i in range(1, 43)]
    report = import_units(csv_rows("\n".join(lines) + "\n"))

    assert [e.code for e in report.errors] == ["U42"]
    assert "deeper than 42 levels" in report.errors[0].message
    assert not Unit.objects.exists()


# ---------------------------------------------------------------------------------------
# Reading files.


def test_csv_with_a_byte_order_mark():
    rows = csv_rows(TREE, bom=True)

    assert [r.code for r in rows] == ["T", "X1", "X2", "C1", "C2", "S1"]
    assert rows[0].line == 2


def test_csv_separated_by_semicolons_with_columns_in_any_order():
    rows = csv_rows("Name;Code;Level;Kind;Parent_Code\nTỉnh ủy;T;Province;;\n\"Xã; mới\";X;upper;commune;T\n")

    assert [(r.code, r.parent_code, r.name, r.level, r.kind) for r in rows] == [
        ("T", "", "Tỉnh ủy", "province", ""), ("X", "T", "Xã; mới", "upper", "commune")]
    assert import_units(rows).ok


def test_csv_line_numbers_count_physical_lines():
    rows = csv_rows('code,parent_code,name,level,kind\r\nT,,"Tỉnh\r\nủy",province,\r\n\r\nX,T,,upper,\r\n')

    assert [(r.code, r.line) for r in rows] == [("T", 2), ("X", 5)]
    report = import_units(rows)
    assert [(e.line, e.message) for e in report.errors] == [(5, "the name is empty")]


def test_csv_that_is_not_utf8():
    with pytest.raises(ImportFileError, match=r"not UTF-8 text \(line 3\)"):
        csv_rows("code,parent_code,name,level,kind\nT,,Tinh,province,\nX,T,Xã Tân,upper,\n", encoding="cp1252")


@pytest.mark.parametrize(
    "text",
    ["code,parent,name,level,kind\nT,,Tỉnh,province,\n", "ma,cha,ten,cap,loai\n", "code,parent_code,name,level\n"],
)
def test_a_wrong_header_is_refused(text):
    with pytest.raises(ImportFileError, match="code,parent_code,name,level,kind"):
        csv_rows(text)


def test_an_empty_file_is_refused():
    with pytest.raises(ImportFileError, match="empty"):
        csv_rows("")


def test_other_extensions_are_refused():
    with pytest.raises(ImportFileError, match=r"\.xlsx and \.csv"):
        read_file("units.xls", b"whatever")


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_file():
    data = xlsx([
        HEADER,
        ["T", None, "Tỉnh ủy", "province", None],
        [101.0, "T", "Đảng bộ xã 101", "upper", "commune"],  # a numeric code typed into Excel
        [],
        [" C1 ", 101, "  Chi bộ 1 ", "grassroots", "cell"],
    ])

    rows = read_file("Đơn vị.XLSX", data)

    assert [(r.line, r.code, r.parent_code, r.name) for r in rows] == [
        (2, "T", "", "Tỉnh ủy"), (3, "101", "T", "Đảng bộ xã 101"), (5, "C1", "101", "Chi bộ 1")]
    report = import_units(rows)
    assert report.ok and report.created == 3
    assert Unit.objects.get(code="C1").parent.code == "101"


def test_xlsx_bad_rows_have_the_sheet_row_numbers():
    data = xlsx([HEADER, ["T", None, "Tỉnh ủy", "province"], ["X", "T", None, "upper"]])

    report = import_units(read_file("units.xlsx", data))

    assert [(e.line, e.code) for e in report.errors] == [(3, "X")]


def test_a_file_that_is_not_a_workbook():
    with pytest.raises(ImportFileError, match="Excel"):
        read_file("units.xlsx", TREE.encode())


def test_xlsx_with_a_wrong_header():
    with pytest.raises(ImportFileError, match="header"):
        read_file("units.xlsx", xlsx([["Mã", "Tên"], ["T", "Tỉnh"]]))
