"""The dashboard body is rendered once and cached until something it shows changes."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.factories import AdminFactory, ViewerFactory
from committees import services as unit_services
from committees.models import Level
from congresses import services
from congresses.models import LevelDeadline, MilestoneStatus, Term


@pytest.fixture
def tree(db):
    admin = AdminFactory(username="admin")
    term = Term.objects.create(name="2025–2030", start_year=2025, end_year=2030, is_current=True)
    services.plan_apply_default(term=term)
    root = unit_services.unit_create(code="P", name="Province", level=Level.PROVINCE)
    bloc = unit_services.unit_create(code="K", name="Bloc", level=Level.UPPER, parent=root)
    cell = unit_services.unit_create(code="G", name="Cell", level=Level.GRASSROOTS, parent=bloc)
    congress = services.congress_create(unit=cell, term=term, user=admin, planned_date=dt.date(2030, 1, 10)).congress
    return admin, term, root, bloc, cell, congress


def _get(client, unit, **extra):
    page = client.get(reverse("dashboards:unit_dashboard", args=[unit.pk]), **extra).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)  # masked anew on each request


def test_second_request_is_served_from_the_cache(tree, client, django_assert_max_num_queries):
    admin, term, root, *_ = tree
    client.force_login(admin)
    first = _get(client, root)
    with django_assert_max_num_queries(3):  # user, unit, breadcrumbs (the terms are kept per global version)
        second = _get(client, root)
    assert first == second


def test_a_milestone_done_below_shows_at_once_on_every_ancestor(tree, client, django_capture_on_commit_callbacks):
    admin, term, root, bloc, cell, congress = tree
    client.force_login(admin)
    total = congress.milestones.count()
    assert f"0/{total}" in _get(client, bloc)
    _get(client, root)
    milestone = congress.milestones.get(step__code="plan")
    with django_capture_on_commit_callbacks(execute=True):
        services.milestone_update(milestone=milestone, user=admin, status=MilestoneStatus.DONE, done_on=dt.date(2026, 1, 1))
    assert f"1/{total}" in _get(client, bloc)
    assert f"1/{total}" in _get(client, root)


def test_rename_and_deadline_changes_invalidate(tree, client, django_capture_on_commit_callbacks):
    admin, term, root, bloc, cell, congress = tree
    client.force_login(admin)
    assert "Cell" in _get(client, bloc)
    with django_capture_on_commit_callbacks(execute=True):
        unit_services.unit_update(unit=cell, name="Chi bộ Mới", level=cell.level, kind=cell.kind, is_active=True)
    assert "Chi bộ Mới" in _get(client, bloc)
    assert "01/01/2029" not in _get(client, root)
    with django_capture_on_commit_callbacks(execute=True):
        LevelDeadline.objects.create(term=term, level=Level.GRASSROOTS, deadline=dt.date(2029, 1, 1))
    page = _get(client, root)
    assert "01/01/2029" in page  # the deadline is drawn on the calendar
    assert "dated after their level" in page or "sau thời hạn" in page


def test_a_rolled_back_change_keeps_the_cached_body(tree, client, django_capture_on_commit_callbacks):
    admin, term, root, bloc, cell, congress = tree
    client.force_login(admin)
    before = _get(client, bloc)
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.milestone_update(milestone=congress.milestones.first(), user=admin,
                                          status=MilestoneStatus.DONE, done_on=dt.date(2026, 1, 1))
                raise RuntimeError
        except RuntimeError:
            pass
    assert callbacks == []
    assert _get(client, bloc) == before


def test_breadcrumbs_stay_per_user_and_language_per_request(tree, client):
    admin, term, root, bloc, cell, congress = tree
    viewer = ViewerFactory(username="v", unit=bloc)
    client.force_login(admin)
    assert f'href="{reverse("dashboards:unit_dashboard", args=[root.pk])}"' in _get(client, bloc)
    client.force_login(viewer)
    page = _get(client, bloc)
    assert f'href="{reverse("dashboards:unit_dashboard", args=[root.pk])}"' not in page  # root is outside their scope
    client.cookies["django_language"] = "en"
    english = _get(client, bloc)
    client.cookies["django_language"] = "vi"
    vietnamese = _get(client, bloc)
    assert "Subordinate units" in english and "Subordinate units" not in vietnamese


def test_a_new_release_does_not_serve_bodies_cached_by_the_previous_one(settings):
    # The tokens follow the data; the release digest follows the templates and the drawing
    # code, so a deployment that changes them renders afresh.
    import datetime as dt

    from dashboards import cache as dashboard_cache

    today = dt.date(2025, 6, 1)
    dashboard_cache.release.cache_clear()
    settings.PORTAL_RELEASE = "r1"
    first = dashboard_cache.body_key(1, [1], today, "vi")
    assert first == dashboard_cache.body_key(1, [1], today, "vi")
    dashboard_cache.release.cache_clear()
    settings.PORTAL_RELEASE = "r2"
    assert dashboard_cache.body_key(1, [1], today, "vi") != first
    dashboard_cache.release.cache_clear()
    settings.PORTAL_RELEASE = ""
    assert len(dashboard_cache.release()) == 12  # the digest of the templates and code
    dashboard_cache.release.cache_clear()
