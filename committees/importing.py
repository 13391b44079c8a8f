"""Import of the unit tree from a spreadsheet (`.xlsx`) or a UTF-8 `.csv`.

The file has the header row ``code,parent_code,name,level,kind`` (any column order; a CSV
may be separated by commas, semicolons or tabs, with or without a byte-order mark), or
the same columns in Vietnamese, ``mã,mã cấp trên,tên,cấp,loại hình`` (`HEADER_NAMES`).
Levels and kinds are their codes (``upper``, ``commune``) or their names in Vietnamese or
English (``Cấp trên cơ sở``, ``xã``), without regard to case or accents.
Re-importing updates units by ``code``; units missing from the file are left alone. All
or nothing: a file with any bad row writes nothing and the report names every bad row with
its line number (the header is line 1).

Steps of `import_units`:
1. validate every row on its own (code, name, level, lengths) and against the others
   (duplicate codes), then the tree as it would be after the import (unknown parents,
   cycles, depth) — the units already in the database count as part of that tree;
2. if nothing is wrong and it is not a dry run: allocate primary keys for the new units,
   compute every path in memory, insert the new units in batches and update the changed
   ones (a moved unit drags its whole subtree, whose paths change too).

A real import runs in one transaction that first locks the unit table against other
writers, so the tree it validated is the tree it writes to.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _

from core import files
from progress import rollups
from progress.rollups import Recount

from .models import PATH_MAX_LENGTH, PATH_SEGMENT_WIDTH, Level, Unit, UnitKind, encode_segment
from .names import fold, name_fields
from .signals import send_tree_reshaped_on_commit

HEADER = ["code", "parent_code", "name", "level", "kind"]
# The Vietnamese names a header may use instead, folded (committees.names.fold): a file
# typed by a clerk says "Mã", "Mã cấp trên", "Tên đơn vị"…
HEADER_NAMES = {
    "code": ["ma", "ma don vi"],
    "parent_code": ["ma cap tren", "ma don vi cap tren"],
    "name": ["ten", "ten don vi"],
    "level": ["cap"],
    "kind": ["loai hinh", "loai"],
}
HEADER_VI = ["mã", "mã cấp trên", "tên", "cấp", "loại hình"]
_HEADER_OF = {fold(alias): column for column, aliases in HEADER_NAMES.items() for alias in aliases}
_HEADER_OF.update({column: column for column in HEADER})


def _header_name(cell: str) -> str:
    """The column a header cell names: its English code or a Vietnamese name."""
    folded = fold(cell).replace("_", " ")
    return _HEADER_OF.get(folded, _HEADER_OF.get(folded.replace(" ", "_"), cell))


def _choice_names(choices) -> dict[str, str]:
    """folded code or label (Vietnamese and English) -> code."""
    names = {}
    for language in ("en", "vi"):
        with translation.override(language):
            names.update({fold(str(label)): value for value, label in choices.choices})
    names.update({fold(value): value for value in choices.values})
    return names


def level_code(value: str) -> str:
    """The level a cell names (its code or its name), or the cell itself when it names none."""
    return _choice_names(Level).get(fold(value), value)


def kind_code(value: str) -> str:
    return _choice_names(UnitKind).get(fold(value), value) if value else ""
BATCH_SIZE = 2000
MAX_CODE, MAX_NAME, MAX_KIND = 64, 255, 64
SAMPLE_SIZE = 50  # changes of each kind (updates, creations) listed in a report

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
    """What an import did, or would do for a dry run. `updated` counts every changed unit
    of the file, the moved ones included; `moved` those whose parent changes."""

    total: int = 0
    created: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # a sample of what changes

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


def _rows_from_records(records: Iterable[tuple[int, Sequence]]) -> list[Row]:
    """`records` are (line number, cell values) pairs; the first non-blank one is the header."""
    records = iter(records)
    for _line, record in records:
        header = [_header_name(_clean(h).lstrip("\ufeff").strip().lower()) for h in record]
        if any(header):
            break
    else:
        raise ImportFileError(_("The file is empty."))
    while header and header[-1] == "":
        header.pop()
    if sorted(header) != sorted(HEADER):
        raise ImportFileError(
            _("The first row must be the header %(expected)s (or %(vietnamese)s); found %(found)s.")
            % {"expected": ",".join(HEADER), "vietnamese": ",".join(HEADER_VI), "found": ",".join(header) or _("nothing")}
        )
    index = {name: header.index(name) for name in HEADER}
    levels, kinds = _choice_names(Level), _choice_names(UnitKind)
    rows = []
    for line, record in records:
        try:
            files.check_row_count(line)
        except ValidationError as exc:
            raise ImportFileError(exc.messages[0]) from exc
        values = [_clean(v) for v in record]
        if not any(values):
            continue
        values += [""] * (len(header) - len(values))
        row = Row(line=line, **{name: values[i] for name, i in index.items()})
        row.level = levels.get(fold(row.level), row.level.lower())
        row.kind = kinds.get(fold(row.kind), row.kind) if row.kind else ""
        rows.append(row)
    return rows


def _delimiter(text: str) -> str:
    """The delimiter that splits the header line into the expected names; a comma when
    none does (the header check then says what is wrong)."""
    first = next((line for line in io.StringIO(text) if line.strip()), "")
    for delimiter in (",", ";", "\t"):
        names = next(csv.reader([first], delimiter=delimiter), [])
        if sorted(_header_name(n.strip().lower()) for n in names if n.strip()) == sorted(HEADER):
            return delimiter
    return max((",", ";", "\t"), key=first.count) if first else ","


def read_csv(data: bytes) -> list[Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("The file is not UTF-8 text (line %(line)d). Save it as “CSV UTF-8”.")
            % {"line": data.count(b"\n", 0, exc.start) + 1}
        ) from exc
    try:
        files.check_csv_lines(text)
    except ValidationError as exc:
        raise ImportFileError(exc.messages[0]) from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))

    def records() -> Iterator[tuple[int, list[str]]]:
        # A quoted value may span lines: a record starts on the line after the last one's end.
        start = 1
        for record in reader:
            yield start, record
            start = reader.line_num + 1

    try:
        return _rows_from_records(records())
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV file is malformed near line %(line)d: %(error)s") % {"line": reader.line_num, "error": exc}
        ) from exc


def read_xlsx(data: bytes) -> list[Row]:
    from openpyxl import load_workbook

    try:
        files.check_xlsx(io.BytesIO(data))  # unpacked size and declared rows, before openpyxl
    except ValidationError as exc:
        raise ImportFileError(exc.messages[0]) from exc
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — openpyxl raises many kinds for a bad file
        raise ImportFileError(_("The file is not a readable Excel workbook (.xlsx).")) from exc
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The file is empty."))
        sheet = workbook.worksheets[0]
        # Some programs write a wrong used range; read every row the sheet holds.
        sheet.reset_dimensions()
        return _rows_from_records(enumerate(sheet.iter_rows(values_only=True), start=1))
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
# Validating


def _validate_rows(rows: list[Row], errors: list[RowError]) -> dict[str, Row]:
    levels, kinds = set(Level.values), set(UnitKind.values)
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
        elif row.kind and row.kind not in kinds:
            problems.append(
                _("unknown kind “%(kind)s” (use one of %(kinds)s, or leave it empty)")
                % {"kind": row.kind, "kinds": ", ".join(UnitKind.values)}
            )
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


def _depths(parent_of: dict[str, str]) -> tuple[dict[str, int], set[str]]:
    """Depth of every unit whose ancestry reaches a root, and the units on a cycle.

    Walks up from each unit until a root or a unit whose depth is known; meeting a unit
    already on the walk means a cycle. Units in a cycle, under one, or under an unknown
    parent get no depth. Linear in the number of units.
    """
    depth_of: dict[str, int] = {}
    in_cycle: set[str] = set()
    broken: set[str] = set()
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
    return depth_of, in_cycle


# ---------------------------------------------------------------------------------------
# Importing


def import_units(rows: list[Row], *, dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    """Validate `rows` and, when all are good and it is not a dry run, write them.

    `progress(phase, done, total)` is called now and then, phase "validate" then "write".
    """
    tick = progress or (lambda phase, done, total: None)
    if dry_run:
        return _import(rows, dry_run=True, tick=tick)
    with transaction.atomic():
        _lock_units()
        return _import(rows, dry_run=False, tick=tick)


def _lock_units() -> None:
    """Keep other writers off the unit table until the import commits; readers go on."""
    table = connection.ops.quote_name(Unit._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        elif connection.vendor == "sqlite":
            # A write statement, even one matching nothing, takes SQLite's write lock.
            cursor.execute(f"UPDATE {table} SET id = id WHERE 0")  # noqa: S608


def _import(rows: list[Row], *, dry_run: bool, tick: Progress) -> ImportReport:
    report = ImportReport(total=len(rows), dry_run=dry_run)
    tick("validate", 0, len(rows))
    by_code = _validate_rows(rows, report.errors)

    # The tree as it stands: code -> (pk, parent pk, name, level, kind, path, depth).
    existing: dict[str, tuple] = {}
    code_of: dict[int, str] = {}
    for pk, code, parent_id, name, level, kind, path, depth in Unit.objects.order_by().values_list(
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

    depth_of, in_cycle = _depths(parent_of)
    for code in in_cycle:
        row = by_code.get(code)
        # A unit that is its own parent has been reported as such already.
        if row is not None and row.parent_code != code:
            report.errors.append(RowError(row.line, code, _("the parents form a cycle")))
    max_depth = PATH_MAX_LENGTH // PATH_SEGMENT_WIDTH - 1
    too_deep: set[str] = set()
    for code, depth in depth_of.items():
        if depth <= max_depth:
            continue
        # Blame the row itself or, for a unit not in the file, the moved ancestor in the file.
        while code and code not in by_code:
            code = parent_of.get(code, "")
        if code and code not in too_deep:
            too_deep.add(code)
            report.errors.append(RowError(
                by_code[code].line, code, _("the tree would be deeper than %(n)d levels") % {"n": max_depth + 1}
            ))

    report.errors.sort(key=lambda e: e.line)
    if report.errors:
        tick("validate", len(rows), len(rows))
        return report

    # What changes.
    new_codes = [code for code in by_code if code not in existing]
    updates: list[str] = []
    restructured = bool(new_codes)  # units created, moved or re-levelled: the roll-ups change
    restructured_ids: list[int] = []  # existing units moved or re-levelled
    for code, row in by_code.items():
        if code not in existing:
            continue
        pk, parent_id, name, level, kind, _path, _depth = existing[code]
        old_parent = code_of.get(parent_id, "")
        what = []
        if old_parent != row.parent_code:
            report.moved += 1
            what.append(_("moved from %(old)s to %(new)s") % {
                "old": old_parent or _("the top"), "new": row.parent_code or _("the top")})
        if name != row.name:
            what.append(_("name “%(old)s” → “%(new)s”") % {"old": name, "new": row.name})
        if level != row.level:
            what.append(_("level %(old)s → %(new)s") % {"old": level, "new": row.level})
        if kind != row.kind:
            what.append(_("kind “%(old)s” → “%(new)s”") % {"old": kind, "new": row.kind})
        if what:
            report.updated += 1
            if old_parent != row.parent_code or level != row.level:
                restructured = True
                restructured_ids.append(pk)
            if len(updates) < SAMPLE_SIZE:
                updates.append(_("line %(line)d: update %(code)s: %(what)s") % {
                    "line": row.line, "code": code, "what": "; ".join(what)})
        else:
            report.unchanged += 1
    report.created = len(new_codes)
    report.changes = updates + [
        _("line %(line)d: create %(code)s “%(name)s” under %(parent)s") % {
            "line": by_code[c].line, "code": c, "name": by_code[c].name,
            "parent": by_code[c].parent_code or _("the top")}
        for c in new_codes[:SAMPLE_SIZE]
    ]
    tick("validate", len(rows), len(rows))
    if dry_run or not (report.created or report.updated):
        return report

    # The roll-ups count units per ancestor and level: an import that creates, moves or
    # re-levels units updates them, in its transaction, by the net change of the subtrees
    # concerned (progress.rollups.Recount).
    recount = Recount(restructured_ids) if restructured else None
    _write(by_code, existing, parent_of, depth_of, new_codes, tick)
    if recount is not None:
        recount.finish(Unit.objects.filter(code__in=new_codes).values_list("pk", flat=True))
        send_tree_reshaped_on_commit()  # moved units have new paths
    rollups.touch_all()  # names and kinds were written without signals
    return report


# ---------------------------------------------------------------------------------------
# Writing


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
        # SQLite serialises writers and the import holds the write lock (_lock_units). The
        # table is AUTOINCREMENT: never reuse the id of a deleted unit.
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
        start = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        seq = cursor.fetchone()
        start = max(start, seq[0] if seq else 0) + 1
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

    new_units: list[Unit] = []
    changed: list[tuple] = []  # (pk, name, level, kind, parent pk, path, depth, name_key, name_search)
    for code in parent_of:
        parent_code = parent_of[code]
        new_path = path(code)
        parent_pk = pk_of[parent_code] if parent_code else None
        row = by_code.get(code)
        if code not in existing:
            new_units.append(Unit(
                pk=pk_of[code], code=code, name=row.name, level=row.level, kind=row.kind,
                parent_id=parent_pk, path=new_path, depth=depth_of[code], **name_fields(row.name),
            ))
            continue
        pk, old_parent, old_name, old_level, old_kind, old_path, old_depth = existing[code]
        name, level, kind = (row.name, row.level, row.kind) if row else (old_name, old_level, old_kind)
        new = (name, level, kind, parent_pk, new_path, depth_of[code])
        if new != (old_name, old_level, old_kind, old_parent, old_path, old_depth):
            changed.append((pk, *new, *name_fields(name).values()))

    total = len(new_units) + len(changed)
    done = 0
    tick("write", done, total)
    # Parents before children, so every foreign key points at a row already there.
    new_units.sort(key=lambda u: u.depth)
    for start in range(0, len(new_units), BATCH_SIZE):
        batch = new_units[start:start + BATCH_SIZE]
        Unit.objects.bulk_create(batch)
        done += len(batch)
        tick("write", done, total)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    for start in range(0, len(changed), BATCH_SIZE):
        batch = changed[start:start + BATCH_SIZE]
        _update_batch(batch, now)
        done += len(batch)
        tick("write", done, total)


_UPDATE_FIELDS = ("name", "level", "kind", "parent", "path", "depth", "name_key", "name_search")


def _update_batch(batch: list[tuple], now) -> None:
    """Write (pk, name, level, kind, parent pk, path, depth, name_key, name_search) tuples. One statement per
    batch on PostgreSQL (`bulk_update`'s CASE WHEN grows quadratically); a prepared
    statement run for each row elsewhere (cheap on SQLite, which is in-process)."""
    qn = connection.ops.quote_name
    table = qn(Unit._meta.db_table)
    columns = [Unit._meta.get_field(f).column for f in _UPDATE_FIELDS]
    pk_column = qn(Unit._meta.pk.column)
    updated_at = qn(Unit._meta.get_field("updated_at").column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(batch))
            casts = ["varchar", "varchar", "varchar", "bigint", "varchar", "integer", "varchar", "varchar"]
            assignments = ", ".join(
                f"{qn(c)} = v.{qn(c)}::{cast}" for c, cast in zip(columns, casts, strict=True)
            )
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments}, {updated_at} = %s "  # noqa: S608
                f"FROM (VALUES {values}) AS v(id, {', '.join(qn(c) for c in columns)}) "
                f"WHERE t.{pk_column} = v.id::bigint",
                [now, *(value for row in batch for value in row)],
            )
        else:
            assignments = ", ".join(f"{qn(c)} = %s" for c in columns)
            cursor.executemany(
                f"UPDATE {table} SET {assignments}, {updated_at} = %s WHERE {pk_column} = %s",  # noqa: S608
                [(*row[1:], now, row[0]) for row in batch],
            )
