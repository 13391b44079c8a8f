"""Authorization, generated from the URL resolver (issue 8, point 2): every URL of the
project, filled with objects of unit B, requested by everyone outside B, must refuse and
write nothing (tests/access/sweep.py says how). The meta-tests prove that the sweep bites."""

from __future__ import annotations

import pytest
from django.urls import reverse

from . import sweep

pytestmark = pytest.mark.django_db

LEAK = "units/<int:pk>/leak/"


@pytest.fixture
def world():
    return sweep.build_world()


def test_no_url_shows_or_changes_another_units_data(world, record_property):
    result = sweep.run(world)
    # Collected by tests/conftest.py into the terminal summary ("authorization sweep: …").
    record_property(sweep.PROPERTY, {
        "patterns": result.patterns, "requests": result.requests,
        "findings": len(result.findings) + len(result.unfillable),
    })
    assert result.patterns > 100 and result.requests == result.patterns * len(sweep.IDENTITIES) * 2
    assert not result.findings and not result.unfillable, result.report()


def test_the_sweep_finds_a_view_without_a_scope_check(world, settings):
    settings.ROOT_URLCONF = "tests.access.unscoped_urls"
    result = sweep.run(world)

    assert not result.unfillable, result.report()
    assert {f.route for f in result.findings} == {LEAK}, result.report()
    found = {(f.identity, f.method): f.problem for f in result.findings}
    assert set(found) == {(identity, method) for identity in sweep.IDENTITIES for method in ("GET", "POST")}
    assert all("status 200 for an object of B" in problem for problem in found.values())
    assert all("changed committees.unit" in problem for (_i, method), problem in found.items() if method == "POST")
    assert not any("changed" in problem for (_i, method), problem in found.items() if method == "GET")


def test_the_sweep_fails_on_a_parameter_it_cannot_fill(world, settings):
    settings.ROOT_URLCONF = "tests.access.unfillable_urls"
    result = sweep.run(world)

    assert not result.findings, result.report()
    assert len(result.unfillable) == 1 and result.unfillable[0].startswith("widgets/<int:pk>/ (widget_detail)")
    assert "no rule fills <pk> after 'widgets/'" in result.unfillable[0]


@pytest.mark.parametrize("name", ["congresses:congress_edit", "congresses:milestone_update", "conclusions:body_list",
                                  "conclusions:conclusion_create", "conclusions:conclusion_correct"])
def test_the_payloads_write_when_the_scope_allows(world, client_for, name):
    """The sweep's POSTs are forms the view accepts: B's own secretary saves them, so the
    same POST from outside B would write if a scope check were missing."""
    pattern = next(p for p in sweep.patterns() if p.name == name)
    filled = sweep.fill(pattern, world)
    tables = sweep._tables()
    before = sweep.snapshot(tables)

    response = client_for(world.secretary_b).post(filled.url, sweep.payload(world, filled))

    assert response.status_code == 302 and response["Location"] != reverse("login")
    assert sweep.diff(before, sweep.snapshot(tables))
