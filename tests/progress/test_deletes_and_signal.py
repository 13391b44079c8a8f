"""Deletes keep the roll-ups (through the admin too), the domain's on-commit signal is what
the dashboards' cache hangs off, and a counter registered by a new app is kept by the same
machinery without touching the others."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.urls import reverse

from committees import services as unit_services
from committees.models import Level, Unit
from congresses import services
from congresses.models import Congress, Milestone, MilestoneStatus
from progress import registry, rollups
from progress.models import StepCount, UnitCount
from progress.signals import units_changed
from tests.factories import AdminFactory, UnitFactory


def _check_command_agrees() -> str:
    out = StringIO()
    call_command("rebuild_rollups", "--check", stdout=out)
    return out.getvalue()


def test_admin_deletes_of_a_unit_a_congress_and_a_milestone_keep_the_rollups(
    tree, term, congress_a, congress_cell, congress_b, client_for, commune_a, cell_a2
):
    client = client_for(AdminFactory(is_superuser=True))
    spare = UnitFactory(code="SPARE", name="Spare cell", level=Level.GRASSROOTS, parent=commune_a)
    assert UnitCount.objects.get(unit=commune_a, level=Level.GRASSROOTS).units == 3

    response = client.post(reverse("admin:committees_unit_delete", args=[spare.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Unit.objects.filter(pk=spare.pk).exists()

    milestone = congress_cell.milestones.select_related("step").first()
    response = client.post(reverse("admin:congresses_milestone_delete", args=[milestone.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Milestone.objects.filter(pk=milestone.pk).exists()

    response = client.post(reverse("admin:congresses_congress_delete", args=[congress_b.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Congress.objects.filter(pk=congress_b.pk).exists()

    # The bulk action goes through the same services.
    response = client.post(reverse("admin:congresses_congress_changelist"), {
        "action": "delete_selected", "_selected_action": [congress_cell.pk], "post": "yes"})
    assert response.status_code == 302
    assert not Congress.objects.filter(pk=congress_cell.pk).exists()

    assert UnitCount.objects.get(unit=commune_a, level=Level.GRASSROOTS).units == 2
    assert "Roll-ups agree" in _check_command_agrees()


def test_a_raw_delete_is_what_the_check_would_catch(tree, term, congress_cell):
    # The counter-proof of the test above: the same delete without the service leaves the
    # roll-ups stale, and `rebuild_rollups --check` says so.
    Milestone.objects.filter(pk=congress_cell.milestones.first().pk).delete()
    with pytest.raises(CommandError):
        _check_command_agrees()


def test_a_unit_with_subordinates_cannot_be_deleted(tree, commune_a):
    with pytest.raises(ValidationError):
        unit_services.unit_delete(unit=commune_a)
    assert Unit.objects.filter(pk=commune_a.pk).exists()


def test_units_changed_is_sent_once_committed_with_the_units_whose_figures_changed(
    tree, term, congress_cell, admin_user, province, commune_a, cell_a1, django_capture_on_commit_callbacks
):
    received: list = []

    def listen(sender, unit_ids, **kwargs):
        received.append(unit_ids)

    units_changed.connect(listen)
    try:
        milestone = congress_cell.milestones.first()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.milestone_complete(milestone=milestone, user=admin_user, done_on=dt.date(2025, 3, 1))
        assert received == []  # nothing before the commit
        for callback in callbacks:
            callback()
    finally:
        units_changed.disconnect(listen)
    changed = set().union(*received)
    assert {province.pk, commune_a.pk, cell_a1.pk} <= changed


class KindCount(models.Model):
    """What a later app would declare in its own models: active units per kind below each
    unit. Its table exists only during the test below."""

    unit = models.ForeignKey("committees.Unit", related_name="+", on_delete=models.CASCADE)
    kind = models.CharField(max_length=64)
    units = models.IntegerField(default=0)

    class Meta:
        app_label = "progress_tests"
        constraints = [models.UniqueConstraint(fields=["unit", "kind"], name="test_kindcount_uniq")]


@pytest.mark.django_db(transaction=True)
def test_a_counter_registered_by_a_new_app_is_kept_by_recounts_checks_and_rebuilds():
    """A later app declares a counter: progress keeps it through restructuring, checks and
    rebuilds it, with no change to progress or to the apps already there."""
    from django.db import connection

    def own(ids):
        for pk, kind in Unit.objects.filter(pk__in=ids, is_active=True).values_list("pk", "kind"):
            yield pk, (kind,), (1,)

    with connection.schema_editor() as editor:
        editor.create_model(KindCount)
    counter = registry.register(registry.Counter(name="test-kinds", model=KindCount, keys=("kind",),
                                                 values=("units",), own=own))
    try:
        root = UnitFactory(code="R", level=Level.PROVINCE)
        a = UnitFactory(code="A", level=Level.UPPER, kind="commune", parent=root)
        b = UnitFactory(code="B", level=Level.UPPER, kind="bloc", parent=root)
        UnitFactory(code="B1", level=Level.GRASSROOTS, kind="cell", parent=b)
        # unit_create adds only what the units counter knows: the new counter is behind.
        assert any(line.startswith("test-kinds") for line in rollups.differences())
        rollups.rebuild()
        assert KindCount.objects.get(unit=root, kind="cell").units == 1
        unit_services.unit_move(unit=b, new_parent=a)  # a Recount: every counter follows
        assert KindCount.objects.get(unit=a, kind="cell").units == 1
        assert KindCount.objects.get(unit=a, kind="bloc").units == 1
        assert rollups.differences() == []
    finally:
        del registry._counters[counter.name]
        with connection.schema_editor() as editor:
            editor.delete_model(KindCount)


def test_rebuild_restores_a_deleted_table(tree, term, congress_a):
    StepCount.objects.all().delete()
    assert rollups.differences()
    counts = rollups.rebuild()
    assert counts["steps"] > 0
    assert rollups.differences() == []


@pytest.mark.parametrize("model", [m for m in (UnitCount, StepCount)])
def test_roll_up_tables_keep_their_names(model: type[models.Model]):
    assert model._meta.db_table.startswith("dashboards_")
