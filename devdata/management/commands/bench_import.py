"""`manage.py bench_import [--units 60000] [--keep]`: time the unit import on the configured
database with a national-shape file.

The file has one root at level central, the 34 provinces, their ~3,300 communes and wards
plus a few blocs per province (level upper), and grassroots units below those up to the
number asked for; names are realistic Vietnamese ones. The command times reading,
validating and writing the file, then a re-import of the same file (every unit
unchanged), and deletes the imported units unless --keep. The last line is machine
readable: ``import_rows=… import_s=… reimport_s=…``.
"""

from __future__ import annotations

import csv
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from vietnam_provinces import Province, Ward

from committees.importing import HEADER, import_units, read_file
from committees.management.commands.import_units import ProgressPrinter
from committees.models import Unit
from devdata import shapes

GRASSROOTS = [
    ("Chi bộ thôn {n}", "village", 60),
    ("Chi bộ Trường Mầm non {place}", "school", 5),
    ("Chi bộ Trường Tiểu học {place} số {n}", "school", 5),
    ("Chi bộ Trường Trung học cơ sở {place}", "school", 4),
    ("Chi bộ Trạm Y tế {place}", "health", 4),
    ("Chi bộ Quân sự {place}", "military", 4),
    ("Chi bộ Công an {place}", "police", 4),
    ("Chi bộ Hợp tác xã Nông nghiệp {place}", "cooperative", 3),
    ("Chi bộ Cơ quan Đảng ủy {place}", "agency", 3),
    ("Chi bộ Cơ quan Ủy ban nhân dân {place}", "agency", 3),
    ("Chi bộ Công ty Cổ phần {company} {place} số {n}", "enterprise", 3),
]
COMPANIES = ["Xây dựng", "Thương mại", "May mặc", "Cấp nước", "Môi trường đô thị", "Vận tải", "Điện lực", "Lương thực"]


def national_rows(total: int, prefix: str, seed: int = shapes.IMPORT_SEED) -> tuple[list[list[str]], dict[str, int]]:
    """`total` rows of a national tree: central → provinces → upper → grassroots."""
    rng = shapes.seeded(seed)
    rows: list[list[str]] = [[f"{prefix}TW", "", shapes.CENTRAL_NAME, "central", shapes.CENTRAL_KIND]]
    provinces = sorted(Province.iter_all(), key=lambda p: p.code.value)
    named = {}
    for p in provinces:
        named[p.code] = shapes.province_name(p.name)
        rows.append([f"{prefix}P{p.code.value:02d}", f"{prefix}TW", named[p.code].committee, "province",
                     named[p.code].kind])

    uppers: list[tuple[str, str, str, str, str]] = []  # (code, parent code, name, place name, kind)
    for ward in sorted(Ward.iter_all(), key=lambda w: w.code.value):
        uppers.append((f"{prefix}X{ward.code.value:05d}", f"{prefix}P{ward.province_code.value:02d}",
                       shapes.commune_committee_name(ward.name), shapes.place_name(ward.name),
                       shapes.commune_kind(ward.division_type.value)))
    for p in provinces:
        for i, bloc in enumerate(shapes.BLOCS, start=1):
            name = bloc.full_name(named[p.code])
            uppers.append((f"{prefix}B{p.code.value:02d}{i}", f"{prefix}P{p.code.value:02d}", name,
                           name.removeprefix("Đảng bộ "), bloc.kind))
    rng.shuffle(uppers)
    fixed = len(rows)
    if total < fixed + 1:
        raise CommandError(f"--units must be at least {fixed + 1}.")
    n_upper = min(len(uppers), max(1, (total - fixed) * 17 // 300))
    uppers = sorted(uppers[:n_upper])
    for code, parent, name, _place, kind in uppers:
        rows.append([code, parent, name, "upper", kind])

    # Grassroots: spread over the upper units, a few more under the bigger ones.
    n_grassroots = total - len(rows)
    weights = [rng.uniform(0.4, 1.6) for _ in uppers]
    scale = n_grassroots / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(n_grassroots - sum(counts)):
        counts[i % len(counts)] += 1
    patterns = [(p, k) for p, k, w in GRASSROOTS for _ in range(w)]
    for (code, _parent, _name, place, upper_kind), count in zip(uppers, counts, strict=True):
        numbers: dict[str, int] = {}  # pattern -> how many so far under this upper unit
        for n in range(1, count + 1):
            pattern, kind = rng.choice(patterns)
            if kind == "village" or (pattern in numbers and "{n}" not in pattern):
                # Residential cells: villages in a commune, quarters in a ward.
                pattern, kind = ("Chi bộ thôn {n}", "village") if upper_kind == "commune" else ("Chi bộ khu phố {n}", "quarter")
            numbers[pattern] = numbers.get(pattern, 0) + 1
            name = pattern.format(n=numbers[pattern], place=place, company=rng.choice(COMPANIES))
            rows.append([f"{code}-{n:03d}", code, name, "grassroots", kind])
    shape = {"central": 1, "province": len(provinces), "upper": len(uppers), "grassroots": n_grassroots}
    return rows, shape


class Command(BaseCommand):
    help = "Time the unit import of a generated national-shape file on the configured database."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=60000, help="Rows of the file (default 60000).")
        parser.add_argument("--keep", action="store_true", help="Keep the imported units.")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv", help="File format (default csv).")
        parser.add_argument("--prefix", default="BENCH-", help="Prefix of the generated codes (default BENCH-).")

    def handle(self, *args, units: int, keep: bool, format: str, prefix: str, verbosity: int, **options):  # noqa: A002
        if Unit.objects.filter(code__startswith=prefix).exists():
            raise CommandError(
                f"Units with codes starting with {prefix!r} exist already (an earlier run with --keep?). "
                "Delete them or choose another --prefix."
            )
        rows, shape = national_rows(units, prefix)
        with tempfile.TemporaryDirectory(prefix="bench_import_") as tmp:
            path = Path(tmp) / f"units.{format}"
            _write_file(path, rows)
            size = path.stat().st_size
            self.stdout.write(
                f"{len(rows):,} rows ({shape['central']} central, {shape['province']} provinces, "
                f"{shape['upper']:,} upper, {shape['grassroots']:,} grassroots), {format} file {size / 1e6:.1f} MB"
            )
            progress = ProgressPrinter(self.stderr) if verbosity >= 2 else None

            read_s, import_s, report = self._timed_import(path, progress)
            if not report.ok:
                raise CommandError(f"The generated file has bad rows: {report.errors[:5]}")
            self.stdout.write(
                f"import:    read {read_s:.2f} s + validate and write {import_s:.2f} s = {read_s + import_s:.2f} s "
                f"({report.created:,} created, {report.updated:,} updated)"
            )
            reread_s, reimport_s, again = self._timed_import(path, progress)
            self.stdout.write(
                f"re-import: read {reread_s:.2f} s + validate {reimport_s:.2f} s = {reread_s + reimport_s:.2f} s "
                f"({again.unchanged:,} unchanged, {again.created + again.updated} changed)"
            )
        if keep:
            self.stdout.write(f"Kept the {len(rows):,} imported units (codes {prefix}…).")
        else:
            started = time.perf_counter()
            deleted = _delete_units(prefix)
            self.stdout.write(f"Deleted the {deleted:,} imported units in {time.perf_counter() - started:.1f} s.")
        self.stdout.write(
            f"import_rows={len(rows)} import_s={read_s + import_s:.2f} reimport_s={reread_s + reimport_s:.2f}"
        )

    def _timed_import(self, path: Path, progress):
        started = time.perf_counter()
        rows = read_file(path.name, path.read_bytes())
        read_s = time.perf_counter() - started
        started = time.perf_counter()
        report = import_units(rows, progress=progress)
        if progress:
            progress.end_line()
        return read_s, time.perf_counter() - started, report


def _write_file(path: Path, rows: list[list[str]]) -> None:
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
        workbook.save(path)
        return
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


@transaction.atomic
def _delete_units(prefix: str) -> int:
    """Delete the generated units, deepest first (a parent is protected by its children).
    A unit something else refers to (a congress, a user) stops the deletion."""
    units = Unit.objects.filter(code__startswith=prefix)
    count = units.count()
    for depth in sorted(set(units.values_list("depth", flat=True)), reverse=True):
        units.filter(depth=depth).delete()
    return count
