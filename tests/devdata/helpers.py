"""Helpers of the benchmark tests."""

from contextlib import contextmanager

from django.db import connection


@contextmanager
def benchmark_database(suffix: str):
    """The name of a benchmark's own database beside the test database (`test_…_<suffix>`),
    dropped afterwards. A benchmark points the connection at its database and back: on the
    way out, the connection must be on the test database again."""
    portal_db = connection.settings_dict["NAME"]
    # Never the real database's bench copy: the test database must be in place.
    assert portal_db.startswith("test_"), portal_db
    name = f"{portal_db}_{suffix}"
    try:
        yield name
    finally:
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
    assert connection.settings_dict["NAME"] == portal_db  # back on the portal's database
