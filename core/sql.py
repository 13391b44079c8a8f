"""Queries built with the ORM once per shape and run again with other values.

Building a query with the ORM (filters, annotations, correlated subqueries, a UNION) costs
more Python than running it: on the national tree the dashboard's roll-up and documents
queries took a few milliseconds each to build and well under one to run. A `Prepared`
query is built by its function once per shape (the number of ids in each list, and the
caller's `shape`, e.g. the current terms), with sentinel values in place of the
arguments; its compiled SQL is kept, and each later call puts the arguments where the
sentinels were in the parameters. The SQL is the ORM's own, so it stays what the ORM
would have sent; the sentinels are negative ids and dates in year 1000, which no real
argument takes, and a sentinel the ORM did not pass as a parameter is refused at once.

Rows come back as the database driver gives them: use it for integers and text, whose
Python types do not depend on the backend (a date comes back as text from SQLite).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Hashable

from django.db import connection

_KEPT = 256  # compiled shapes kept per query; more are compiled again (bounded memory)
_FIRST_ID = -7_000_000_001
_FIRST_DAY = dt.date(1000, 1, 1)


class Prepared:
    """`query(shape, fixed, **arguments)`: the rows (tuples) of `build(**arguments,
    **fixed)`, a queryset of values_list/values, for arguments that are ints, lists of
    ints or dates; `fixed` goes to `build` as it is and must be named by `shape` (it is
    compiled into the SQL). `dicts(...)` gives each row as {column: value}."""

    def __init__(self, build: Callable):
        self._build = build
        self._compiled: dict[Hashable, tuple[str, list, dict[int, tuple[str, int | None, bool]]]] = {}
        self._lock = threading.Lock()

    def _sentinels(self, arguments: dict) -> tuple[dict, dict]:
        """Sentinel arguments, and {sentinel: (name, index in its list or None, is_date)}."""
        fake, where = {}, {}
        next_id, next_day = _FIRST_ID, _FIRST_DAY
        for name, value in arguments.items():
            if isinstance(value, dt.date):
                fake[name] = next_day
                where[next_day] = (name, None, True)
                next_day += dt.timedelta(days=1)
            elif isinstance(value, int):
                fake[name] = next_id
                where[next_id] = (name, None, False)
                next_id -= 1
            else:
                ids = []
                for i in range(len(value)):
                    ids.append(next_id)
                    where[next_id] = (name, i, False)
                    next_id -= 1
                fake[name] = ids
        return fake, where

    def _compile(self, key: Hashable, arguments: dict, fixed: dict):
        fake, where = self._sentinels(arguments)
        sql, params = self._build(**fake, **fixed).query.sql_with_params()
        slots: dict[int, tuple[str, int | None, bool]] = {}
        days = {d.isoformat(): d for d, w in where.items() if isinstance(d, dt.date)}
        seen = set()
        for position, param in enumerate(params):
            sentinel = days.get(param, param) if isinstance(param, str) else param
            if isinstance(sentinel, (int, dt.date)) and not isinstance(sentinel, bool) and sentinel in where:
                slots[position] = (*where[sentinel][:2], isinstance(param, str))
                seen.add(sentinel)
        if seen != set(where):
            raise ValueError(f"{self._build.__qualname__}: an argument is not a parameter of the compiled SQL.")
        compiled = (sql, list(params), slots)
        with self._lock:
            if len(self._compiled) >= _KEPT:
                self._compiled.clear()
            self._compiled[key] = compiled
        return compiled

    def _sql(self, shape: Hashable, arguments: dict, fixed: dict) -> tuple[str, list]:
        """The compiled SQL of this shape and its parameters with the arguments in place."""
        key = (connection.vendor, shape, tuple(
            (name, len(v) if isinstance(v, (list, tuple)) else type(v).__name__) for name, v in arguments.items()))
        compiled = self._compiled.get(key) or self._compile(key, arguments, fixed)
        sql, params, slots = compiled
        params = list(params)
        for position, (name, index, as_text) in slots.items():
            value = arguments[name] if index is None else arguments[name][index]
            params[position] = value.isoformat() if as_text else value
        return sql, params

    def _execute(self, shape: Hashable, arguments: dict, fixed: dict):
        sql, params = self._sql(shape, arguments, fixed)
        cursor = connection.cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchall(), [c[0] for c in cursor.description]
        finally:
            cursor.close()

    def models(self, model, shape: Hashable, fixed: dict | None = None, **arguments) -> list:
        """The rows as instances of `model` (the build is a queryset of it, annotations
        included): Model.objects.raw over the compiled SQL, which converts the model's
        fields as the ORM does (dates from SQLite included) and sets every other column
        as an attribute."""
        sql, params = self._sql(shape, arguments, fixed or {})
        return list(model.objects.raw(sql, params))

    def __call__(self, shape: Hashable, fixed: dict | None = None, **arguments) -> list[tuple]:
        return self._execute(shape, arguments, fixed or {})[0]

    def dicts(self, shape: Hashable, fixed: dict | None = None, **arguments) -> list[dict]:
        rows, names = self._execute(shape, arguments, fixed or {})
        return [dict(zip(names, row)) for row in rows]
