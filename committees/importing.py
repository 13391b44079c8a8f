"""Import of the unit tree from a spreadsheet (`.xlsx`) or a UTF-8 `.csv`.

The file has the header row ``code,parent_code,name,level,kind``. Re-importing updates
units by ``code``. All or nothing: a file with any bad row writes nothing and the report
names every bad row with its line number (the header is line 1).

Steps of `import_units`:
1. validate every row on its own (code, name, level, lengths) and against the others
   (duplicate codes), then the tree as it would be after the import (unknown parents,
   cycles, depth) — the units already in the database count as part of that tree;
2. if nothing is wrong and it is not a dry run, in one transaction: allocate primary keys
   for the new units, compute every path in memory, insert the new units in batches and
   update the changed ones (a moved unit drags its whole subtree, whose paths change too).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils.translation import gettext as _

from .models import PATH_MAX_LENGTH, PATH_SEGMENT_WIDTH, Level, Unit, encode_segment

HEADER = ["code", "parent_code", "name", "level", "kind"]
BATCH_SIZE = 2000
MAX_CODE, MAX_NAME, MAX_KIND = 64, 255, 64

Progress = Callable[[str, int, int], None]


class ImportFileError(Exception):
    """The file cannot be read at all (wrong format, encoding or header)."""


@dataclass
class Row:
    line: int
    code: str
    parent_code: str
    name: str
    level: str
    kind: str


@dataclass
class RowError:
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # a sample of what changes, for dry runs

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "total": self.total, "created": self.created, "updated": self.updated,
            "moved": self.moved, "unchanged": self.unchanged, "dry_run": self.dry_run,
            "ok": self.ok,
            "errors": [{"line": e.line, "code": e.code, "message": e.message} for e in self.errors],
            "changes": self.changes,
        }


# ---------------------------------------------------------------------------------------
# Reading files


def _clean(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a numeric code typed into Excel
    return str(value).strip()


def _rows_from_records(records: Iterable[list], first_line: int = 2) -> list[Row]:
    records = iter(records)
    try:
        header = [(_clean(h)).lower().lstrip("\ufeff") for h in next(records)]
    except StopIteration as exc:
        raise ImportFileError(_("The file is empty.")) from exc
    while header and header[-1] == "":
        header.pop()
    if sorted(header) != sorted(HEADER):
        raise ImportFileError(
            _("The first row must be the header %(expected)s; found %(found)s.")
            % {"expected": ",".join(HEADER), "found": ",".join(header) or _("nothing")}
        )
    index = {name: header.index(name) for name in HEADER}
    rows = []
    for offset, record in enumerate(records):
        values = [_clean(v) for v in record]
        if not any(values):
            continue
        values += [""] * (len(header) - len(values))
        rows.append(Row(line=first_line + offset, **{name: values[i] for name, i in index.items()}))
    return rows


def read_csv(data: bytes) -> list[Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("The file is not UTF-8 text (byte %(pos)d). Save it as “CSV UTF-8”.") % {"pos": exc.start}
        ) from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return _rows_from_records(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file is malformed: %(error)s") % {"error": exc}) from exc


def read_xlsx(data: bytes) -> list[Row]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — openpyxl raises many kinds for a bad file
        raise ImportFileError(_("The file is not a readable Excel workbook (.xlsx).")) from exc
    try:
        sheet = workbook.worksheets[0]
        return _rows_from_records(list(r) for r in sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def read_file(name: str, data: bytes) -> list[Row]:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return read_csv(data)
    if suffix == ".xlsx":
        return read_xlsx(data)
    raise ImportFileError(_("Only .xlsx and .csv files can be imported."))


# ---------------------------------------------------------------------------------------
# Validating and writing


def _validate_rows(rows: list[Row], errors: list[RowError]) -> dict[str, Row]:
    levels = set(Level.values)
    by_code: dict[str, Row] = {}
    for row in rows:
        problems = []
        if not row.code:
            problems.append(_("the code is empty"))
        elif len(row.code) > MAX_CODE:
            problems.append(_("the code is longer than %(n)d characters") % {"n": MAX_CODE})
        if not row.name:
            problems.append(_("the name is empty"))
        elif len(row.name) > MAX_NAME:
            problems.append(_("the name is longer than %(n)d characters") % {"n": MAX_NAME})
        if row.level not in levels:
            problems.append(
                _("unknown level “%(level)s” (use one of %(levels)s)")
                % {"level": row.level, "levels": ", ".join(Level.values)}
            )
        if len(row.kind) > MAX_KIND:
            problems.append(_("the kind is longer than %(n)d characters") % {"n": MAX_KIND})
        if row.code and row.parent_code == row.code:
            problems.append(_("the unit is its own parent"))
        if row.code in by_code:
            problems.append(_("duplicate code “%(code)s” (first on line %(line)d)") % {
                "code": row.code, "line": by_code[row.code].line})
        for problem in problems:
            errors.append(RowError(row.line, row.code, problem))
        if row.code and row.code not in by_code:
            by_code[row.code] = row
    return by_code


def import_units(rows: list[Row], *, dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    """Validate `rows` and, when all are good and it is not a dry run, write them."""
    report = ImportReport(total=len(rows), dry_run=dry_run)
    tick = progress or (lambda phase, done, total: None)
    tick("validate", 0, len(rows))
    by_code = _validate_rows(rows, report.errors)

    # The tree as it stands: code -> (pk, parent pk, name, level, kind, path, depth).
    existing: dict[str, tuple] = {}
    code_of: dict[int, str] = {}
    for pk, code, parent_id, name, level, kind, path, depth in Unit.objects.values_list(
        "pk", "code", "parent_id", "name", "level", "kind", "path", "depth"
    ).iterator(chunk_size=10000):
        existing[code] = (pk, parent_id, name, level, kind, path, depth)
        code_of[pk] = code
    tick("validate", len(rows) // 2, len(rows))

    # The tree as it would be: every unit's parent code after the import.
    parent_of: dict[str, str] = {code: code_of.get(rec[1], "") for code, rec in existing.items()}
    for code, row in by_code.items():
        if row.parent_code and row.parent_code not in by_code and row.parent_code not in existing:
            report.errors.append(RowError(row.line, code, _("unknown parent “%(parent)s”") % {"parent": row.parent_code}))
        parent_of[code] = row.parent_code

    # Depth of every unit, detecting cycles: walk up from each unit until a root or a unit
    # whose depth is known; meeting a unit already on the walk means a cycle.
    depth_of: dict[str, int] = {}
    in_cycle: set[str] = set()
    broken: set[str] = set()  # in a cycle, under one, or under an unknown parent
    for start in parent_of:
        trail: list[str] = []
        position: dict[str, int] = {}
        code = start
        while True:
            if not code:
                base = -1
                break
            if code in depth_of:
                base = depth_of[code]
                break
            if code in broken or code not in parent_of:
                base = None
                break
            if code in position:
                in_cycle.update(trail[position[code]:])
                base = None
                break
            position[code] = len(trail)
            trail.append(code)
            code = parent_of[code]
        if base is None:
            broken.update(trail)
            continue
        for code in reversed(trail):
            base += 1
            depth_of[code] = base
    for code in sorted(in_cycle, key=lambda c: by_code[c].line if c in by_code else 0):
        if code in by_code:
            report.errors.append(RowError(by_code[code].line, code, _("the parents form a cycle")))
    max_depth = PATH_MAX_LENGTH // PATH_SEGMENT_WIDTH - 1
    for code, row in by_code.items():
        if depth_of.get(code, 0) > max_depth:
            report.errors.append(RowError(row.line, code, _("the tree is deeper than %(n)d levels") % {"n": max_depth + 1}))

    report.errors.sort(key=lambda e: e.line)
    if report.errors:
        return report

    # What changes.
    new_codes = [code for code in by_code if code not in existing]
    changed_codes = []
    for code, row in by_code.items():
        if code not in existing:
            continue
        pk, parent_id, name, level, kind, _path, _depth = existing[code]
        moved = code_of.get(parent_id, "") != row.parent_code
        edited = (name, level, kind) != (row.name, row.level, row.kind)
        if moved:
            report.moved += 1
        if moved or edited:
            report.updated += 1
            changed_codes.append(code)
            if len(report.changes) < 50:
                report.changes.append(_("update %(code)s") % {"code": code})
        else:
            report.unchanged += 1
    report.created = len(new_codes)
    report.changes[:0] = [_("create %(code)s") % {"code": c} for c in new_codes[:50]]
    tick("validate", len(rows), len(rows))
    if dry_run:
        return report

    with transaction.atomic():
        _write(by_code, existing, parent_of, depth_of, new_codes, tick)
    return report


def _allocate_ids(count: int) -> list[int]:
    """Primary keys for `count` new units, so each path can be written by the insert."""
    if count == 0:
        return []
    table = Unit._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [r[0] for r in cursor.fetchall()]
        # SQLite serialises writers; the transaction holds the write lock from here on.
        cursor.execute(f'UPDATE "{table}" SET id = id WHERE 0')  # noqa: S608 — take the lock
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def _write(by_code, existing, parent_of, depth_of, new_codes, tick) -> None:
    pk_of = {code: rec[0] for code, rec in existing.items()}
    pk_of.update(zip(new_codes, _allocate_ids(len(new_codes)), strict=True))
    path_of: dict[str, str] = {}

    def path(code: str) -> str:
        # Iterative: walk up to the first unit whose path is known, then come back down.
        chain = []
        while code and code not in path_of:
            chain.append(code)
            code = parent_of[code]
        prefix = path_of.get(code, "")
        for c in reversed(chain):
            prefix += encode_segment(pk_of[c])
            path_of[c] = prefix
        return prefix

    new_units, changed = [], []
    for code in parent_of:
        parent_code = parent_of[code]
        new_path = path(code)
        parent_pk = pk_of[parent_code] if parent_code else None
        row = by_code.get(code)
        if code not in existing:
            new_units.append(Unit(
                pk=pk_of[code], code=code, name=row.name, level=row.level, kind=row.kind,
                parent_id=parent_pk, path=new_path, depth=depth_of[code],
            ))
            continue
        pk, old_parent, old_name, old_level, old_kind, old_path, _old_depth = existing[code]
        name, level, kind = (row.name, row.level, row.kind) if row else (old_name, old_level, old_kind)
        if (parent_pk, name, level, kind, new_path) != (old_parent, old_name, old_level, old_kind, old_path):
            changed.append(Unit(pk=pk, code=code, name=name, level=level, kind=kind, parent_id=parent_pk,
                                path=new_path, depth=depth_of[code]))
    done = 0
    # Parents before children, so every foreign key points at a row already there.
    new_units.sort(key=lambda u: u.depth)
    for start in range(0, len(new_units), BATCH_SIZE):
        Unit.objects.bulk_create(new_units[start:start + BATCH_SIZE])
        done += len(new_units[start:start + BATCH_SIZE])
        tick("write", done, len(new_units) + len(changed) or 1)
    for start in range(0, len(changed), BATCH_SIZE):
        Unit.objects.bulk_update(
            changed[start:start + BATCH_SIZE], ["name", "level", "kind", "parent", "path", "depth"],
        )
        done += len(changed[start:start + BATCH_SIZE])
        tick("write", done, len(new_units) + len(changed) or 1)
