"""Quarter-end snapshots of the roll-up numbers, so that the briefing pack of a past
quarter shows the dashboard as it was at the quarter's end (issue 14, point 8).

`take(quarter)` copies every counter of the progress registry (progress.registry: units,
congresses, steps, documents, personnel plans, and whatever a later app registers) into
`SnapshotRow`, one `INSERT … SELECT` per counter, in one transaction: a national tree's
few hundred thousand roll-up rows are copied by the database, never read into Python.
A counter keyed by a date (the unfinished milestones by due date, the congresses by date)
is summed over the dates up to the quarter's last day and loses that key: "unfinished
milestones due by the quarter's end" is the dashboard's overdue count on the first day
after the quarter, which is when beat takes the snapshot (briefings.tasks). Rows whose
values are all zero are left out.

Taking a snapshot is idempotent: an existing snapshot of the quarter is kept (`replace`
retakes it). Plain SQL for PostgreSQL and SQLite alike (CAST … AS VARCHAR, SUM, GROUP BY).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection, models, transaction
from django.utils import timezone

from progress import registry

from .models import QuarterSnapshot, SnapshotRow
from .quarters import Quarter

S = SnapshotRow._meta.db_table


def _column(model, name: str) -> tuple[str, bool]:
    """The column of a counter's field, and whether it is a date."""
    f = model._meta.get_field(name)
    return f.column, isinstance(f, models.DateField)


def _copy_sql(counter: registry.Counter, snapshot_id: int, end: dt.date) -> tuple[str, list]:
    model = counter.model
    if len(counter.values) > len(SnapshotRow.VALUES):
        raise ValueError(f"counter {counter.name!r} has more values than a snapshot row holds")
    keys = [_column(model, k) for k in counter.keys]
    dates = [col for col, is_date in keys if is_date]
    kept = [col for col, is_date in keys if not is_date]
    if len(kept) > len(SnapshotRow.KEYS):
        raise ValueError(f"counter {counter.name!r} has more keys than a snapshot row holds")
    values = [_column(model, v)[0] for v in counter.values]
    unit = _column(model, "unit")[0]
    key_exprs = [f"CAST({col} AS VARCHAR(40))" for col in kept] + ["''"] * (len(SnapshotRow.KEYS) - len(kept))
    pad = ["0"] * (len(SnapshotRow.VALUES) - len(values))
    targets = ", ".join(["snapshot_id", "counter", "unit_id", *SnapshotRow.KEYS, *SnapshotRow.VALUES])
    table = model._meta.db_table
    params: list = [snapshot_id, counter.name]
    if dates:
        sums = [f"SUM({v})" for v in values]
        where = " AND ".join(f"{col} <= %s" for col in dates)
        params += [connection.ops.adapt_datefield_value(end)] * len(dates)
        group = ", ".join([unit, *kept])
        sql = (f"INSERT INTO {S} ({targets}) SELECT %s, %s, {unit}, {', '.join(key_exprs)}, "
               f"{', '.join(sums + pad)} FROM {table} WHERE {where} GROUP BY {group}"
               f" HAVING {' OR '.join(f'{s} <> 0' for s in sums)}")
    else:
        sql = (f"INSERT INTO {S} ({targets}) SELECT %s, %s, {unit}, {', '.join(key_exprs)}, "
               f"{', '.join(values + pad)} FROM {table} WHERE {' OR '.join(f'{v} <> 0' for v in values)}")
    return sql, params


@transaction.atomic
def take(quarter: Quarter, *, replace: bool = False, now: dt.datetime | None = None) -> tuple[QuarterSnapshot, bool]:
    """The snapshot of `quarter`, taken now unless one exists (then returned as it is,
    False); `replace` takes it again. The row of the quarter is locked first, so two runs
    at once (beat and the command) take it once."""
    now = now or timezone.now()
    snapshot, created = QuarterSnapshot.objects.select_for_update().get_or_create(
        year=quarter.year, quarter=quarter.quarter, defaults={"taken_at": now})
    if not created and not replace:
        return snapshot, False
    SnapshotRow.objects.filter(snapshot=snapshot).delete()
    rows = 0
    with connection.cursor() as cursor:
        for counter in registry.counters():
            sql, params = _copy_sql(counter, snapshot.pk, quarter.end)
            cursor.execute(sql, params)
            rows += max(cursor.rowcount, 0)
    snapshot.taken_at, snapshot.rows = now, rows
    snapshot.save(update_fields=["taken_at", "rows"])
    return snapshot, True


def take_previous(today: dt.date) -> tuple[QuarterSnapshot, bool]:
    """The snapshot of the quarter that ended before `today`'s quarter (beat, daily: the
    first run after a quarter ends takes it, the others find it)."""
    return take(Quarter.of(today).previous)


def find(quarter: Quarter) -> QuarterSnapshot | None:
    return QuarterSnapshot.objects.filter(year=quarter.year, quarter=quarter.quarter).first()


def read(snapshot: QuarterSnapshot, counter_name: str, unit_ids: list[int]) -> dict[int, list[tuple[dict, dict]]]:
    """The snapshot's rows of one counter for these units: {unit id: [(keys, values)]},
    keys by name as text (date keys dropped), values by name."""
    counter = registry.counter(counter_name)
    keys = [k for k in counter.keys if not _column(counter.model, k)[1]]
    out: dict[int, list[tuple[dict, dict]]] = defaultdict(list)
    for row in SnapshotRow.objects.filter(snapshot=snapshot, counter=counter_name, unit_id__in=unit_ids).values():
        out[row["unit_id"]].append((
            {k: row[col] for k, col in zip(keys, SnapshotRow.KEYS)},
            {v: row[col] for v, col in zip(counter.values, SnapshotRow.VALUES)},
        ))
    return out
