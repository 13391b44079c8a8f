"""The national-tree builder (devdata.national) and `manage.py bench_dashboard`, at a tiny
size, so that neither rots: the tree's shape, its paths, its congresses and milestones, the
roll-ups equal to a recomputation, and the command's last line."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.db.models import Count

from accounts.models import Grant, Role, User
from committees.models import Level, Unit, encode_segment
from congresses.models import Congress, Milestone, MilestoneStatus, PlanStep, StepEffect, Term
from devdata import national
from progress import rollups
from devdata.management.commands.bench_dashboard import MixedLoad, run_benchmark
from tests.devdata.helpers import benchmark_database

LAST_LINE = re.compile(
    r"^root_p95_ms=\d+\.\d province_p95_ms=\d+\.\d bare_p95_ms=\d+\.\d ratio_p50=\d+\.\d\d "
    r"queries=\d+ update_p95_ms=\d+\.\d cold_root_p95_ms=\d+\.\d cold_province_p95_ms=\d+\.\d "
    r"json_p95_ms=\d+\.\d mixed_read_p95_ms=(\d+\.\d|nan) mixed_write_p95_ms=(\d+\.\d|nan)$"
)
TINY = {"units": 300, "provinces": 3, "communes": 20}


@pytest.mark.postgres
def test_builder_makes_a_national_shape_tree_with_matching_rollups(db):
    log = []
    tree = national.build_national_tree(**TINY, seed=7, log=log.append)

    units = {u.pk: u for u in Unit.objects.all()}
    assert len(units) == 300 == tree.units
    by_level = {level: sum(1 for u in units.values() if u.level == level) for level in Level.values}
    assert by_level[Level.CENTRAL] == 1 and by_level[Level.PROVINCE] == 3 and by_level[Level.UPPER] == 20
    assert by_level[Level.GRASSROOTS] > by_level[Level.SUB] > 0
    depth_of_level = {Level.CENTRAL: 0, Level.PROVINCE: 1, Level.UPPER: 2, Level.GRASSROOTS: 3, Level.SUB: 4}
    for u in units.values():
        parent = units.get(u.parent_id)
        assert u.path == (parent.path if parent else "") + encode_segment(u.pk)
        assert u.depth == (parent.depth + 1 if parent else 0) == depth_of_level[u.level]
    root = units[tree.root_id]
    assert Unit.objects.under(root).count() == 300

    term = Term.objects.get(is_current=True)
    assert term.name == national.TERM_NAME and term.steps.count() == 20 and term.level_deadlines.count() == 5
    steps_of = {level: {s.pk for s in term.steps.all() if s.applies_to(level)} for level in Level.values}
    congresses = Congress.objects.filter(term=term).select_related("unit").annotate(n=Count("milestones"))
    assert 0 < congresses.count() <= 300
    for c in congresses:
        assert c.n == len(steps_of[c.unit.level])
    # The register and hold milestones agree with their congress, as the services keep them.
    for m in Milestone.objects.filter(step__effect__in=[StepEffect.REGISTER, StepEffect.HOLD]).select_related(
        "congress", "step"
    ):
        on = m.congress.registered_on if m.step.effect == StepEffect.REGISTER else m.congress.held_on
        assert (m.status == MilestoneStatus.DONE, m.done_on) == (on is not None, on)
    statuses = set(Milestone.objects.values_list("status", flat=True))
    assert {MilestoneStatus.DONE, MilestoneStatus.NOT_STARTED} <= statuses

    secretaries = Grant.objects.filter(role=Role.SECRETARY)
    assert set(secretaries.values_list("unit_id", flat=True)) == set(congresses.values_list("unit_id", flat=True))
    assert not any(u.has_usable_password() for u in User.objects.all())
    assert Grant.objects.filter(role=Role.VIEWER, unit__level=Level.PROVINCE).count() == 3
    assert User.objects.get(username=national.ADMIN_USERNAME).is_portal_admin
    assert Grant.objects.values("user").distinct().count() == User.objects.count()  # one grant each

    assert rollups.differences() == []
    assert [line.split()[0] for line in log] == [
        "plan", "units", "users", "congresses", "milestones", "analyze", "commit", "rollups", "total"]
    # The ids went through the sequences' backs: the next rows must not collide.
    last_unit, last_step = max(units), max(s.pk for s in term.steps.all())
    unit, step = (Unit.objects.create(code="after", name="after", level=Level.SUB, path="~after"),
                  PlanStep.objects.create(term=term, code="after", title="after"))
    assert unit.pk > last_unit and step.pk > last_step
    unit.delete(), step.delete()

    out = []
    # No mixed load here: its threads have connections of their own, which do not see this
    # test's transaction (the command's test below runs it in a database of its own).
    result = run_benchmark(requests=3, warmup=1, out=out.append, mixed=MixedLoad(readers=0, writers=0))
    assert LAST_LINE.match(result.last_line())
    assert len(result.root_cold.times) == 3 and all(len(m.times) == 3 for m in result.json)
    # The floor reads its units and, like every page since issue 15 (the no-store header and
    # the session lifetime ask whether someone is signed in), the user.
    assert result.root.queries > 1 and result.bare.queries == 2
    assert len(result.update.times) == 3
    assert any(line.startswith("Targets:") for line in out)
    assert rollups.differences() == []  # the update measurements kept the roll-ups right


@pytest.mark.postgres
def test_command_builds_its_own_database_then_reuses_it(transactional_db, django_db_blocker):
    args = ["--units", "300", "--provinces", "3", "--communes", "20", "--requests", "3", "--warmup", "1",
            "--mixed-seconds", "2", "--writer-pause", "0.05"]
    with django_db_blocker.unblock():
        with benchmark_database("bench"):  # the name bench_dashboard gives its database
            first, second = StringIO(), StringIO()
            call_command("bench_dashboard", *args, stdout=first)
            call_command("bench_dashboard", *args, stdout=second)
        assert not Unit.objects.exists()  # which the benchmark never touched

    assert "Building the national tree" in first.getvalue()
    assert "reusing the tree" in second.getvalue() and "Building" not in second.getvalue()
    for out in (first, second):
        assert LAST_LINE.match(out.getvalue().splitlines()[-1])
        assert "nan" not in out.getvalue().splitlines()[-1]  # the mixed load ran: readers and writers
        assert re.search(r"Mixed load: 2 writers \([1-9]\d* ticks", out.getvalue())


def test_command_refuses_anything_but_postgresql(monkeypatch):
    monkeypatch.setattr(connections["default"], "vendor", "sqlite")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("bench_dashboard", stdout=StringIO())


def test_the_benchmarks_client_passes_the_second_factor_where_admins_need_one(db, settings):
    # The production settings require administrators to verify a TOTP device
    # (PORTAL_REQUIRE_ADMIN_OTP): the benchmark's admin reads the dashboards with a
    # verified session there, instead of being sent to the second-factor page.
    from django.urls import reverse

    from devdata.management.commands.bench_dashboard import _client
    from tests.factories import AdminFactory, UnitFactory

    settings.PORTAL_REQUIRE_ADMIN_OTP = True
    admin, unit = AdminFactory(), UnitFactory()
    Term.objects.create(name="2025–2030", start_year=2025, end_year=2030, is_current=True)
    response = _client(admin).get(reverse("dashboards:unit_dashboard", args=[unit.pk]), secure=True)
    assert response.status_code == 200
    assert _client(admin).get(reverse("dashboards:unit_dashboard", args=[unit.pk]), secure=True).status_code == 200
