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

On PostgreSQL the compiled SQL is also prepared on the server, once per connection
(PREPARE, then EXECUTE with the values): the server then parses and plans it once, and
after a few runs keeps a generic plan, which saves about half of a short query's time
(issue 15: the dashboard's eleven queries, 5.8 → 3.9 ms). A list of ids becomes one array
parameter (`= ANY(%s)` for the ORM's `IN (%s, …)`), so that one statement serves every
length. The sessions plan them generically (settings: plan_cache_mode=force_generic_plan,
which only prepared statements read): with an array of ids PostgreSQL would otherwise
plan each run afresh, 0.8 ms for the dashboard's congress query against 0.1 ms to run it.
These queries look rows up by unit ids through indexes, whatever the values; a query
whose generic plan is worse (measured: the step counts of a province's 164 units, a
nested loop twice as slow) is built with `Prepared(build, prepare=False)` and sent as
plain SQL. PORTAL_PREPARED_STATEMENTS=0 turns preparing off, for a pooler that hands one
client several server sessions (PgBouncer in transaction mode).

Rows come back as the database driver gives them: use it for integers and text, whose
Python types do not depend on the backend (a date comes back as text from SQLite).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import threading
from collections.abc import Callable, Hashable

from django.conf import settings
from django.db import connection

_KEPT = 256  # compiled shapes kept per query; more are compiled again (bounded memory)
_FIRST_ID = -7_000_000_001
_FIRST_DAY = dt.date(1000, 1, 1)
_PREPARED_PER_CONNECTION = 400  # beyond that, DEALLOCATE ALL and prepare again as needed
_names = itertools.count(1)
_refused: set[str] = set()
# The ORM's placeholders, and its `x IN (…)` of placeholders (a list argument; the ORM
# writes a negation as `NOT (x IN (…))`, which `= ANY` keeps right).
_PLACEHOLDERS = re.compile(r"%%|%s|(?<!NOT )\bIN \((?:%s, )*%s\)")


def as_date(value) -> dt.date | None:
    """A date column as a `Prepared` query returns it: a date, or ISO text from SQLite."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _arrays(sql: str, params: list, slots: dict) -> tuple[str, list, dict]:
    """PostgreSQL only: each `IN (%s, …)` whose placeholders are exactly one list
    argument's, in order, becomes `= ANY(%s)` with that list as one parameter, so that
    the statement is the same for every length (its slot's index is then "all")."""
    out, new_params, new_slots, position = [], [], {}, 0
    last = 0
    for m in _PLACEHOLDERS.finditer(sql):
        token = m.group()
        if token == "%%":
            continue
        count = token.count("%s")
        taken = [slots.get(position + i) for i in range(count)]
        if count > 1 or token.startswith("IN"):
            names = {t[0] for t in taken if t is not None}
            whole = (None not in taken and len(names) == 1
                     and [t[1] for t in taken] == list(range(count)))
            if whole:
                out.append(sql[last:m.start()] + "= ANY(%s)")
                last = m.end()
                new_slots[len(new_params)] = (taken[0][0], "all", False)
                new_params.append([])
                position += count
                continue
        for i in range(count):
            if taken[i] is not None:
                new_slots[len(new_params)] = taken[i]
            new_params.append(params[position + i])
        position += count
    out.append(sql[last:])
    return "".join(out), new_params, new_slots


def _server_sql(sql: str) -> str:
    """The SQL with PostgreSQL's numbered parameters for the driver's `%s` (`%%` is a
    literal percent sign): the text of a PREPARE."""
    numbers = itertools.count(1)
    return re.sub(r"%%|%s", lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)


def _use_server_statements() -> bool:
    return connection.vendor == "postgresql" and getattr(settings, "PORTAL_PREPARED_STATEMENTS", True)


def _prepared_on(name: str, sql: str) -> bool:
    """Make sure statement `name` is prepared on the current connection's session (once
    per connection: the names prepared are kept beside the connection they were prepared
    on, and forgotten with it). False if the server refused it: the caller then sends the
    SQL as it is. Runs on the driver's own cursor, so that it does not count as one of the
    page's queries, inside a savepoint when a transaction is open (a refused PREPARE must
    not abort it); a prepared statement outlives the transaction it was made in."""
    connection.ensure_connection()
    raw = connection.connection
    kept = getattr(connection, "_portal_prepared", None)
    if kept is None or kept[0] is not raw:
        kept = (raw, set())
        connection._portal_prepared = kept
    names = kept[1]
    if name in names:
        return True
    if name in _refused:
        return False
    import psycopg2.extensions

    in_transaction = raw.get_transaction_status() != psycopg2.extensions.TRANSACTION_STATUS_IDLE
    with raw.cursor() as cursor:
        if len(names) >= _PREPARED_PER_CONNECTION:
            cursor.execute("DEALLOCATE ALL")
            names.clear()
        if in_transaction:
            cursor.execute("SAVEPOINT portal_prepare")
        try:
            cursor.execute(f"PREPARE {name} AS {_server_sql(sql)}")
        except Exception:  # noqa: BLE001  (refused: run as plain SQL, as before)
            if in_transaction:
                cursor.execute("ROLLBACK TO SAVEPOINT portal_prepare")
            _refused.add(name)  # not asked again: the SQL is the same on every connection
            return False
        if in_transaction:
            cursor.execute("RELEASE SAVEPOINT portal_prepare")
    names.add(name)
    return True


class Prepared:
    """`query(shape, fixed, **arguments)`: the rows (tuples) of `build(**arguments,
    **fixed)`, a queryset of values_list/values, for arguments that are ints, lists of
    ints or dates; `fixed` goes to `build` as it is and must be named by `shape` (it is
    compiled into the SQL). `dicts(...)` gives each row as {column: value}."""

    def __init__(self, build: Callable, *, prepare: bool = True):
        self._build = build
        self._prepare = prepare  # False: never prepared on the server (see the module's docstring)
        self._compiled: dict[Hashable, tuple[str, list, dict[int, tuple[str, int | None, bool]]]] = {}
        self._lock = threading.Lock()
        self._by_length = False  # some list of its is not one IN (…): compiled per length

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
        params = list(params)
        name = None
        if self._prepare and _use_server_statements():
            sql, params, slots = _arrays(sql, params, slots)
            if any(isinstance(index, int) for _, index, _ in slots.values()):
                # A list not wholly in one IN: this query's statements are per length.
                self._by_length = True
                key = self._key(key[2], arguments, arrays=False)
            name = f"portal_q{next(_names)}"
        compiled = (sql, params, slots, name)
        with self._lock:
            if len(self._compiled) >= _KEPT:
                self._compiled.clear()
            self._compiled[key] = compiled
        return compiled

    @staticmethod
    def _key(shape: Hashable, arguments: dict, *, arrays: bool) -> tuple:
        """The cache key of a shape: the lengths of the lists too, unless each list goes as
        one array (an empty list still has its own: the ORM leaves its IN out)."""
        return (connection.vendor, arrays, shape, tuple(
            (name, ("list" if v else 0) if arrays else len(v)) if isinstance(v, (list, tuple))
            else (name, type(v).__name__) for name, v in arguments.items()))

    def _sql(self, shape: Hashable, arguments: dict, fixed: dict) -> tuple[str, list]:
        """The compiled SQL of this shape and its parameters with the arguments in place:
        on PostgreSQL, the EXECUTE of the statement prepared from it (or the SQL itself if
        the server refused to prepare it)."""
        key = self._key(shape, arguments, arrays=self._prepare and _use_server_statements() and not self._by_length)
        compiled = self._compiled.get(key) or self._compile(key, arguments, fixed)
        sql, params, slots, name = compiled
        params = list(params)
        for position, (argument, index, as_text) in slots.items():
            if index == "all":
                value = list(arguments[argument])
            else:
                value = arguments[argument] if index is None else arguments[argument][index]
            params[position] = value.isoformat() if as_text else value
        if name is not None and _prepared_on(name, sql):
            return (f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}"), params
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
