"""`manage.py import_units PATH [--dry-run]`."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from committees.models import Unit

pytestmark = pytest.mark.django_db

HEADER = "code,parent_code,name,level,kind\n"
TREE = HEADER + "T,,Tỉnh ủy,province,\nX,T,Đảng bộ xã Tân Hòa,upper,commune\nC,X,Chi bộ thôn 1,grassroots,cell\n"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_units", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def tree_csv(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(TREE, encoding="utf-8-sig")
    return path


def test_imports_and_prints_a_summary(tree_csv):
    out, err = run(str(tree_csv))

    assert "3 rows: 3 created, 0 updated (0 moved), 0 unchanged." in out
    assert err == ""
    assert Unit.objects.get(code="C").parent.code == "X"


def test_reimport_updates(tree_csv, tmp_path):
    run(str(tree_csv))
    changed = tmp_path / "changed.csv"
    changed.write_text(HEADER + "X,T,Đảng bộ phường Tân Hòa,upper,ward\nC,T,Chi bộ thôn 1,grassroots,cell\n")

    out, _err = run(str(changed))

    assert "2 rows: 0 created, 2 updated (1 moved), 0 unchanged." in out
    assert Unit.objects.get(code="C").parent.code == "T"
    assert Unit.objects.get(code="X").name == "Đảng bộ phường Tân Hòa"


def test_dry_run_reports_what_would_change_and_writes_nothing(tree_csv):
    out, _err = run(str(tree_csv), "--dry-run")

    assert "Dry run, nothing was written." in out
    assert "3 created" in out
    assert "create X “Đảng bộ xã Tân Hòa” under T" in out
    assert not Unit.objects.exists()


def test_bad_rows_are_all_printed_and_nothing_is_written(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "T,,Tỉnh ủy,province,\nX,NOPE,Xã,upper,\nY,T,,upper,\nZ,T,Chi bộ,cell,\n")
    err = io.StringIO()

    with pytest.raises(CommandError, match="3 bad rows .* nothing was written"):
        call_command("import_units", str(path), stdout=io.StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        "line 3: unknown parent “NOPE”",
        "line 4: the name is empty",
        "line 5: unknown level “cell” (use one of central, province, upper, grassroots, sub)",
    ]
    assert not Unit.objects.exists()


def test_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "missing.csv"))


def test_a_wrong_header(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("ma,ten\nT,Tỉnh ủy\n")

    with pytest.raises(CommandError, match="header code,parent_code,name,level,kind"):
        run(str(path))


def test_a_file_of_another_kind(tmp_path):
    path = tmp_path / "units.ods"
    path.write_bytes(b"PK\x03\x04")

    with pytest.raises(CommandError, match=r"\.xlsx and \.csv"):
        run(str(path))


def test_progress_is_printed_for_large_files(tmp_path):
    lines = ["T,,Tỉnh ủy,province,"] + [f"C{i},T,Chi bộ {i},grassroots,cell" for i in range(3000)]
    path = tmp_path / "large.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n")

    out, err = run(str(path))

    assert "3001 created" in out
    progress = err.splitlines()
    assert any(line.startswith("validate: 100%") for line in progress)
    assert any(line.startswith("write: 100%") for line in progress)
    # Not a terminal: about one line every 10% of each phase.
    assert len([line for line in progress if line.startswith("write:")]) <= 11
    assert Unit.objects.count() == 3001


def test_no_progress_for_small_files(tree_csv):
    _out, err = run(str(tree_csv))

    assert err == ""
