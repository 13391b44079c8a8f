"""A change below a unit re-renders exactly what it changes: the headline and the one child
row on its path (dashboards.bodies); every other row comes from the cache, and what is
served always equals a page rendered from an empty cache."""

import datetime as dt
import json
import pickle
import random
import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from committees import services as unit_services
from committees.models import Level, Unit
from congresses import services
from congresses.models import Milestone, MilestoneStatus, Term
from dashboards import bodies
from dashboards import cache as dashboard_cache
from tests.factories import AdminFactory

DONE_ON = dt.date(2026, 1, 1)


@pytest.fixture
def tree(db):
    admin = AdminFactory(username="admin")
    term = Term.objects.create(name="2025–2030", start_year=2025, end_year=2030, is_current=True)
    services.plan_apply_default(term=term)
    root = unit_services.unit_create(code="P", name="Province", level=Level.PROVINCE)
    blocs = [unit_services.unit_create(code=f"K{i}", name=f"Bloc {i}", level=Level.UPPER, parent=root)
             for i in range(3)]
    cells = [unit_services.unit_create(code=f"G{i}{j}", name=f"Cell {i}{j}", level=Level.GRASSROOTS, parent=bloc)
             for i, bloc in enumerate(blocs) for j in range(2)]
    for unit in [*blocs, *cells]:
        services.congress_create(unit=unit, term=term, user=admin, planned_date=dt.date(2030, 1, 10))
    return admin, root, blocs, cells


def _page(client, unit, kind="html"):
    name = "dashboards:unit_dashboard" if kind == "html" else "dashboards:unit_dashboard_json"
    response = client.get(reverse(name, args=[unit.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)  # masked anew on each request


def _fresh(client, unit, kind="html"):
    """The page as rendered from an empty cache (then emptied again, so that it leaves
    nothing behind for the next comparison)."""
    saved = {k: v for k, v in cache._cache.items()}  # locmem: keep what the portal had cached
    expiry = dict(cache._expire_info)
    cache.clear()
    try:
        return _page(client, unit, kind)
    finally:
        cache.clear()
        cache._cache.update(saved)
        cache._expire_info.update(expiry)


def _tick(admin, milestone, django_capture_on_commit_callbacks):
    done = milestone.status == MilestoneStatus.DONE
    with django_capture_on_commit_callbacks(execute=True):
        services.milestone_update(milestone=milestone, user=admin,
                                  status=MilestoneStatus.IN_PROGRESS if done else MilestoneStatus.DONE,
                                  done_on=None if done else DONE_ON)


def _rows_built(client, unit, kind="html"):
    """The children whose rows a request built afresh (the others came from the cache)."""
    built = []
    original = bodies.unit_dashboard

    def spy(**kwargs):
        built.append(set(kwargs["rows_for"]))
        return original(**kwargs)

    with mock.patch.object(bodies, "unit_dashboard", spy):
        page = _page(client, unit, kind)
    return page, (built[0] if built else None)


@pytest.mark.parametrize("kind", ["html", "json"])
def test_a_tick_below_rebuilds_only_the_row_on_its_path(tree, client, kind, django_capture_on_commit_callbacks):
    admin, root, blocs, cells = tree
    client.force_login(admin)
    _page(client, root, kind)
    _page(client, blocs[1], kind)
    milestone = Milestone.objects.filter(congress__unit=cells[3]).order_by("pk").first()  # under bloc 1
    _tick(admin, milestone, django_capture_on_commit_callbacks)
    page, built = _rows_built(client, root, kind)
    assert built == {blocs[1].pk}
    assert page == _fresh(client, root, kind)
    page, built = _rows_built(client, blocs[1], kind)
    assert built == {cells[3].pk}
    assert page == _fresh(client, blocs[1], kind)
    # An untouched unit's body is served whole from the cache.
    _page(client, blocs[0], kind)
    assert _rows_built(client, blocs[0], kind)[1] is None


def test_the_headline_and_the_row_show_the_tick(tree, client, django_capture_on_commit_callbacks):
    admin, root, blocs, cells = tree
    client.force_login(admin)
    before = json.loads(_page(client, root, "json"))
    _page(client, root)
    milestone = Milestone.objects.filter(congress__unit=cells[0], status=MilestoneStatus.NOT_STARTED).order_by("pk").first()
    _tick(admin, milestone, django_capture_on_commit_callbacks)
    after = json.loads(_page(client, root, "json"))
    assert after["subtree"]["steps_done"] == before["subtree"]["steps_done"] + 1
    # Top down, whatever order the roll-up rows come in (a cached body must equal a fresh one).
    assert list(after["subtree"]["units_by_level"]) == [Level.UPPER, Level.GRASSROOTS]
    changed = [b["id"] for b, a in zip(before["children"], after["children"], strict=True) if a != b]
    assert changed == [blocs[0].pk]
    page = _page(client, root)
    assert f'{after["subtree"]["steps_done"]}/{after["subtree"]["steps_total"]}' in page


def test_random_changes_never_serve_a_stale_page_in_either_language(tree, client,
                                                                    django_capture_on_commit_callbacks):
    admin, root, blocs, cells = tree
    client.force_login(admin)
    rng = random.Random(7)
    milestones = list(Milestone.objects.filter(congress__unit__in=[*blocs, *cells]))
    units = [root, *blocs]
    for _ in range(6):
        for language in ("vi", "en"):
            client.cookies["django_language"] = language
            for unit in units:
                for kind in ("html", "json"):
                    assert _page(client, unit, kind) == _fresh(client, unit, kind)
        _tick(admin, rng.choice(milestones), django_capture_on_commit_callbacks)
    client.cookies["django_language"] = "en"
    assert "Subordinate units" in _page(client, root)
    client.cookies["django_language"] = "vi"
    assert "Subordinate units" not in _page(client, root)


def test_a_row_is_not_reused_across_languages_releases_or_days(tree, client, settings, django_capture_on_commit_callbacks):
    admin, root, blocs, cells = tree
    client.force_login(admin)
    _page(client, root)
    dashboard_cache.replace_tokens([root.pk])  # the headline goes; the rows stay
    assert _rows_built(client, root)[1] == set()
    dashboard_cache.replace_tokens([root.pk])
    client.cookies["django_language"] = "en"
    assert _rows_built(client, root)[1] == {b.pk for b in blocs}
    dashboard_cache.release.cache_clear()
    settings.PORTAL_RELEASE = "next"
    try:
        assert _rows_built(client, root)[1] == {b.pk for b in blocs}
    finally:
        dashboard_cache.release.cache_clear()
    with mock.patch("dashboards.views.timezone.localdate", return_value=timezone.localdate() + dt.timedelta(days=1)):
        assert _rows_built(client, root)[1] == {b.pk for b in blocs}


def _calls(owner, name, client, unit, kind):
    """The page, and how many times the request called `owner.name`."""
    calls = []
    original = getattr(owner, name)

    def spy(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    with mock.patch.object(owner, name, spy):
        page = _page(client, unit, kind)
    return page, len(calls)


def _family_reads(client, unit, kind="html"):
    """How many times a request read the unit's list of children from the database."""
    return _calls(bodies, "unit_family", client, unit, kind)


@pytest.mark.parametrize("kind", ["html", "json"])
def test_the_list_of_children_is_kept_until_a_unit_changes(tree, client, kind, django_capture_on_commit_callbacks):
    admin, root, blocs, cells = tree
    client.force_login(admin)
    assert _family_reads(client, root, kind)[1] == 1
    _tick(admin, Milestone.objects.filter(congress__unit=cells[0]).order_by("pk").first(),
          django_capture_on_commit_callbacks)
    page, reads = _family_reads(client, root, kind)
    assert reads == 0 and page == _fresh(client, root, kind)
    # A unit renamed (its save replaces the tree's token): the list is read again, and the
    # renamed child's row is rebuilt with the new name.
    with django_capture_on_commit_callbacks(execute=True):
        unit_services.unit_update(unit=blocs[2], name="Bloc Hai", level=blocs[2].level, kind=blocs[2].kind,
                                  is_active=True)
    page, reads = _family_reads(client, root, kind)
    assert reads == 1 and "Bloc Hai" in page and "Bloc 2" not in page
    # A unit added below: it has its row at once.
    with django_capture_on_commit_callbacks(execute=True):
        new = unit_services.unit_create(code="K9", name="Bloc 9", level=Level.UPPER, parent=root)
    page = _page(client, root, kind)
    assert "Bloc 9" in page and page == _fresh(client, root, kind)
    # Moved elsewhere: gone from its old parent's list.
    with django_capture_on_commit_callbacks(execute=True):
        unit_services.unit_move(unit=cells[0], new_parent=blocs[1])
    page = _page(client, blocs[0], kind)
    assert "Cell 00" not in page and page == _fresh(client, blocs[0], kind)
    kept = pickle.loads(cache.get(dashboard_cache.body_key(
        root.pk, [Term.objects.get().pk], timezone.localdate(), "vi", kind))[3])
    assert new.pk in {c[0] for c in kept[2]}


def test_a_rename_committed_while_the_list_is_read_is_not_kept(tree, client, django_capture_on_commit_callbacks):
    # The tree's token is read before the list of children: a rename committed while the
    # list is read leaves the list (with the old name) under the old token, and the next
    # reader reads the list again.
    admin, root, blocs, cells = tree
    client.force_login(admin)
    original = bodies.unit_family

    def rename_meanwhile(u):
        family = original(u)
        with django_capture_on_commit_callbacks(execute=True):
            blocs[2].name = "Bloc Hai"
            blocs[2].save()
        return family

    with mock.patch.object(bodies, "unit_family", rename_meanwhile):
        assert "Bloc 2" in _page(client, root)  # what was read
    page, reads = _family_reads(client, root)
    assert reads == 1 and "Bloc Hai" in page and "Bloc 2" not in page


def test_the_global_version_rebuilds_every_row(tree, client):
    admin, root, blocs, cells = tree
    client.force_login(admin)
    _page(client, root)
    dashboard_cache.replace_tokens(None)  # a term, a plan or a deadline changed
    assert _rows_built(client, root)[1] == {b.pk for b in blocs}


def test_a_leaf_json_and_page_need_no_rows(tree, client):
    admin, root, blocs, cells = tree
    client.force_login(admin)
    data = json.loads(_page(client, cells[0], "json"))
    assert data["children"] == [] and data["checklist"]
    assert _page(client, cells[0]) == _fresh(client, cells[0])


def test_the_page_and_the_json_read_the_figures_once_per_change(tree, client, django_capture_on_commit_callbacks):
    admin, root, blocs, cells = tree
    client.force_login(admin)
    assert _rows_built(client, root)[1] == {b.pk for b in blocs}
    page, built = _rows_built(client, root, "json")
    assert built is None and page == _fresh(client, root, "json")  # the page's figures, every row in them
    _tick(admin, Milestone.objects.filter(congress__unit=cells[2]).order_by("pk").first(),
          django_capture_on_commit_callbacks)
    assert _rows_built(client, root)[1] == {blocs[1].pk}
    page, built = _rows_built(client, root, "json")
    assert built is None and page == _fresh(client, root, "json")
    # Another change: the JSON first, then the page takes its figures.
    _tick(admin, Milestone.objects.filter(congress__unit=cells[4]).order_by("pk").first(),
          django_capture_on_commit_callbacks)
    assert _rows_built(client, root, "json")[1] == {blocs[2].pk}
    page, built = _rows_built(client, root)
    assert built is None and page == _fresh(client, root)
    # The figures hold one row; a format that needs more reads its own.
    _tick(admin, Milestone.objects.filter(congress__unit=cells[0]).order_by("pk").first(),
          django_capture_on_commit_callbacks)
    assert _rows_built(client, root)[1] == {blocs[0].pk}
    cache.delete(dashboard_cache.body_key(root.pk, [Term.objects.get().pk], timezone.localdate(), "vi", "json"))
    page, built = _rows_built(client, root, "json")
    assert built == {b.pk for b in blocs} and page == _fresh(client, root, "json")
    # Figures kept under older versions are never used.
    dashboard_cache.replace_tokens([root.pk])
    assert _rows_built(client, root)[1] == set()


def _quiet_reads(client, unit, kind="html"):
    """How many times a request read the quiet sections (calendar, documents, petitions,
    personnel) from the database: the petition counts stand for the four, read together."""
    from dashboards import selectors

    return _calls(selectors, "petition_counts_for", client, unit, kind)


@pytest.mark.parametrize("kind", ["html", "json"])
def test_a_tick_below_keeps_the_quiet_sections_and_a_petition_below_replaces_them(
        tree, client, kind, django_capture_on_commit_callbacks):
    from petitions import services as petition_services

    admin, root, blocs, cells = tree
    client.force_login(admin)
    assert _quiet_reads(client, root, kind)[1] == 1
    # A milestone ticked below changes counters every rebuild reads anyway: the headline
    # and the row are rebuilt, the calendar, documents, petitions and personnel are kept.
    _tick(admin, Milestone.objects.filter(congress__unit=cells[0]).order_by("pk").first(),
          django_capture_on_commit_callbacks)
    page, reads = _quiet_reads(client, root, kind)
    assert reads == 0 and page == _fresh(client, root, kind)
    # A petition registered below: the petition counts of every ancestor are read again.
    with django_capture_on_commit_callbacks(execute=True):
        petition_services.petition_register(user=admin, unit=cells[2], received_on=timezone.localdate(),
                                            channel="post", kind="complaint", summary="x", anonymous=True)
    page, reads = _quiet_reads(client, root, kind)
    assert reads == 1 and page == _fresh(client, root, kind)
    if kind == "json":
        data = json.loads(page)
        assert data["petitions"]["open"] == 1
        assert [c["petitions"]["open"] for c in data["children"]] == [0, 1, 0]
    else:
        assert re.search(r'id="petitions-open">1<', page)
    # A congress's planned date moved below: the calendar is read again.
    congress = cells[4].congresses.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.congress_update(congress=congress, user=admin, data={"planned_date": dt.date(2030, 2, 20)})
    page, reads = _quiet_reads(client, root, kind)
    assert reads == 1 and page == _fresh(client, root, kind)
