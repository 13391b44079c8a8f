"""`manage.py bench_import` at a tiny size, so that it cannot rot: the generated file has the
asked shape and imports cleanly, twice, and the imported units are deleted."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from committees.models import Unit
from devdata import shapes
from devdata.management.commands.bench_import import national_rows

LAST_LINE = re.compile(r"^import_rows=500 import_s=\d+\.\d\d reimport_s=\d+\.\d\d$")


def test_national_rows_have_the_national_shape_and_every_bloc():
    rows, shape = national_rows(60_000, "B-")
    assert len(rows) == 60_000
    assert shape == {"central": 1, "province": 34, "upper": 3_398, "grassroots": 56_567}
    assert len({row[0] for row in rows}) == len(rows)
    upper_kinds = {row[4] for row in rows if row[3] == "upper"}
    assert {b.kind for b in shapes.BLOCS} | set(shapes.COMMUNE_KINDS) == upper_kinds
    assert national_rows(500, "B-") == national_rows(500, "B-")  # deterministic


@pytest.mark.django_db
def test_command_imports_then_reimports_then_deletes():
    out = StringIO()
    call_command("bench_import", "--units", "500", stdout=out)
    text = out.getvalue()
    assert "500 rows (1 central, 34 provinces, 26 upper, 439 grassroots)" in text
    assert "(500 created, 0 updated)" in text and "(500 unchanged, 0 changed)" in text
    assert LAST_LINE.match(text.splitlines()[-1]), text
    assert not Unit.objects.exists()
