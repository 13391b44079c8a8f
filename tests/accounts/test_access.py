"""accounts.access: a user with several grants reads the union of their subtrees and edits
only the units they keep, on every page, export and message; admins read everything,
users without grants nothing; the cached scope follows grant changes and unit moves.

The tree of tests/conftest.py, plus commune C, which nobody below holds a grant on::

    province
    ├── commune_a   ← two_hats is its secretary (edits it, reads its subtree)
    │   ├── cell_a1
    │   └── cell_a2
    ├── commune_b   ← two_hats is its viewer (reads it)
    └── commune_c   (out of scope)
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts import access, services
from accounts.models import GrantRole
from committees import services as unit_services
from committees.models import Level, Unit
from congresses import services as congress_services
from congresses.models import Milestone, MilestoneStatus
from progress import rollups
from tests.factories import CongressFactory, UnitFactory, UserFactory

PDF = b"%PDF-1.4\n% bien ban\n%%EOF\n"


@pytest.fixture
def commune_c(province):
    return UnitFactory(code="C", name="Đảng bộ xã Cẩm Lệ", level=Level.UPPER, kind="commune", parent=province)


@pytest.fixture
def world(tree, term, commune_c, congress_a, congress_b, congress_cell):
    congress_c = CongressFactory(unit=commune_c, term=term)
    rollups.rebuild()
    return tree, congress_c


@pytest.fixture
def two_hats(tree):
    return UserFactory(
        username="two_hats", grants=[(GrantRole.SECRETARY, tree.commune_a), (GrantRole.VIEWER, tree.commune_b)]
    )


def _evidence(congress, user) -> Milestone:
    milestone = congress.milestones.order_by("step__order").first()
    congress_services.milestone_update(
        milestone=milestone, user=user, status=MilestoneStatus.DONE, done_on=dt.date(2025, 3, 5),
        evidence_file=SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf"),
    )
    milestone.refresh_from_db()
    return milestone


# --- The scope value --------------------------------------------------------------------------


def test_two_grants_give_the_union_of_subtrees_and_edit_only_the_kept_unit(world, two_hats, commune_c):
    tree, _congress_c = world
    scope = access.scope_for(two_hats)
    readable = set(Unit.objects.visible_to(two_hats))
    assert readable == {tree.commune_a, tree.cell_a1, tree.cell_a2, tree.commune_b}
    assert scope.edit_unit_ids == (tree.commune_a.pk,)
    assert [scope.can_edit(u) for u in (tree.commune_a, tree.cell_a1, tree.commune_b, commune_c)] == [
        True, False, False, False]
    assert scope.home_unit_id == tree.commune_a.pk  # the first root by depth, then path
    assert scope.roles == {"secretary", "viewer"}


def test_overlapping_grants_keep_minimal_roots(tree):
    user = UserFactory(grants=[(GrantRole.VIEWER, tree.commune_a), (GrantRole.VIEWER, tree.cell_a1)])
    assert access.scope_for(user).read_paths == (tree.commune_a.path,)


def test_a_role_is_one_row_of_the_powers_table():
    assert set(access.POWERS) == set(GrantRole.values)
    assert access.roles_with("edits_unit") == ["secretary"]
    assert access.roles_with("weekly_digest") == ["viewer", "follows", "in_charge"]
    # A working-group member (or a standing committee member in charge) is escalated about
    # the unit they follow, not about its children.
    assert access.roles_with("own_escalations") == ["follows", "in_charge"]
    assert access.roles_with("escalations") == ["secretary"]
    # A board member reads nothing of the tree: only their boards' tasks.
    assert access.roles_with("body_tasks") == ["body_member"]
    assert "body_member" not in access.roles_with("reads_subtree")


# --- Pages ------------------------------------------------------------------------------------


def test_two_hats_on_the_unit_list_and_unit_pages(world, two_hats, client_for, province, commune_c):
    tree, _ = world
    client = client_for(two_hats)
    listed = [row.pk for row in client.get(reverse("committees:unit_list")).context["page"].object_list]
    assert listed == [tree.commune_a.pk, tree.cell_a1.pk, tree.cell_a2.pk, tree.commune_b.pk]
    searched = client.get(reverse("committees:unit_list"), {"q": "xã"}).context["page"].object_list
    assert [row.pk for row in searched] == [tree.commune_a.pk, tree.commune_b.pk]
    for unit, status in [(tree.commune_a, 200), (tree.cell_a1, 200), (tree.commune_b, 200),
                         (province, 404), (commune_c, 404)]:
        assert client.get(reverse("committees:unit_detail", args=[unit.pk])).status_code == status


def test_breadcrumbs_link_only_to_units_in_scope(world, two_hats, client_for, province):
    tree, _ = world
    response = client_for(two_hats).get(reverse("committees:unit_detail", args=[tree.cell_a1.pk]))
    assert [(u.pk, u.in_scope) for u in response.context["o"].ancestors] == [
        (province.pk, False), (tree.commune_a.pk, True)]


def test_two_hats_on_congresses_and_milestones(world, two_hats, client_for, congress_a, congress_b, congress_cell):
    _tree, congress_c = world
    client = client_for(two_hats)
    for congress, status, can_edit in [(congress_a, 200, True), (congress_cell, 200, False),
                                       (congress_b, 200, False), (congress_c, 404, None)]:
        response = client.get(reverse("congresses:congress_detail", args=[congress.pk]))
        assert response.status_code == status
        if status == 200:
            assert response.context["can_edit"] is can_edit
    for congress, status in [(congress_a, 200), (congress_cell, 404), (congress_b, 404), (congress_c, 404)]:
        assert client.get(reverse("congresses:congress_edit", args=[congress.pk])).status_code == status
    for congress, status in [(congress_a, 302), (congress_cell, 404), (congress_b, 404), (congress_c, 404)]:
        milestone = congress.milestones.first()
        data = {f"m{milestone.pk}-status": MilestoneStatus.IN_PROGRESS, f"m{milestone.pk}-note": "đang làm"}
        assert client.post(reverse("congresses:milestone_update", args=[milestone.pk]), data).status_code == status


def test_evidence_downloads_only_in_scope(world, two_hats, client_for, admin_user, congress_b):
    _tree, congress_c = world
    in_b, in_c = _evidence(congress_b, admin_user), _evidence(congress_c, admin_user)
    client = client_for(two_hats)
    assert client.get(reverse("congresses:milestone_evidence", args=[in_b.pk])).status_code == 200
    assert client.get(reverse("congresses:milestone_evidence", args=[in_c.pk])).status_code == 404


def test_secretary_of_one_unit_and_viewer_of_another_starts_only_their_own_congress(tree, term, client_for):
    user = UserFactory(grants=[(GrantRole.SECRETARY, tree.cell_a2), (GrantRole.VIEWER, tree.commune_b)])
    client = client_for(user)
    assert client.get(reverse("committees:unit_detail", args=[tree.cell_a2.pk])).context["can_start_congress"]
    assert not client.get(reverse("committees:unit_detail", args=[tree.commune_b.pk])).context["can_start_congress"]
    assert client.post(reverse("congresses:congress_start", args=[tree.commune_b.pk])).status_code == 404
    assert client.post(reverse("congresses:congress_start", args=[tree.cell_a2.pk])).status_code == 302
    assert tree.cell_a2.congresses.count() == 1


DASHBOARD_URLS = ["unit_dashboard", "unit_dashboard_json", "unit_briefing", "unit_units",
                  "unit_units_csv", "unit_units_xlsx", "unit_dashboard_csv", "unit_dashboard_xlsx"]


@pytest.mark.parametrize("name", DASHBOARD_URLS)
def test_two_hats_on_dashboards_and_exports_by_session(world, two_hats, client_for, province, commune_c, name):
    tree, _ = world
    client = client_for(two_hats)
    for unit, status in [(tree.commune_a, 200), (tree.cell_a1, 200), (tree.commune_b, 200),
                         (province, 404), (commune_c, 404)]:
        response = client.get(reverse(f"dashboards:{name}", args=[unit.pk]))
        assert response.status_code == status, (unit.name, response.status_code)


@pytest.mark.parametrize("name", ["unit_dashboard_json", "unit_units_csv", "unit_units_xlsx",
                                  "unit_dashboard_csv", "unit_dashboard_xlsx"])
def test_a_token_reads_exactly_its_owners_scope(world, two_hats, province, commune_c, name):
    tree, _ = world
    _token, key = services.api_token_create(user=two_hats, name="feed")
    client = Client(headers={"authorization": f"Bearer {key}"})
    for unit, status in [(tree.commune_a, 200), (tree.commune_b, 200), (province, 404), (commune_c, 404)]:
        assert client.get(reverse(f"dashboards:{name}", args=[unit.pk])).status_code == status


def test_dashboard_json_of_a_viewed_unit(world, two_hats, client_for):
    tree, _ = world
    data = client_for(two_hats).get(reverse("dashboards:unit_dashboard_json", args=[tree.commune_b.pk])).json()
    assert data["unit"]["id"] == tree.commune_b.pk


def test_menu_links_my_units_and_my_scope(world, two_hats, client_for):
    tree, _ = world
    client = client_for(two_hats)
    page = client.get(reverse("committees:unit_list")).content.decode()
    assert reverse("congresses:my_unit") in page
    assert reverse("committees:unit_detail", args=[tree.commune_a.pk]) in page
    assert client.get(reverse("home"))["Location"] == reverse("congresses:my_unit")


def test_secretary_of_several_units_gets_the_list_of_them(tree, term, congress_a, client_for):
    user = UserFactory(grants=[(GrantRole.SECRETARY, tree.commune_a), (GrantRole.SECRETARY, tree.commune_b)])
    response = client_for(user).get(reverse("congresses:my_unit"))
    assert response.status_code == 200
    page = response.content.decode()
    assert congress_a.get_absolute_url() in page
    assert reverse("committees:unit_detail", args=[tree.commune_b.pk]) in page  # no congress yet


# --- Admins and users without grants --------------------------------------------------------


def test_an_admin_grant_reads_and_edits_everything(world, admin_user, client_for, province, commune_c):
    _tree, congress_c = world
    assert set(Unit.objects.visible_to(admin_user)) == set(Unit.objects.all())
    client = client_for(admin_user)
    assert client.get(reverse("dashboards:unit_dashboard", args=[province.pk])).status_code == 200
    assert client.get(reverse("congresses:congress_edit", args=[congress_c.pk])).status_code == 200


def test_a_user_whose_grants_are_all_removed_sees_nothing(world, two_hats, client_for):
    tree, _ = world
    for grant in list(two_hats.grants.all()):
        services.grant_remove(grant=grant)
    client = client_for(two_hats)
    assert not Unit.objects.visible_to(two_hats).exists()
    assert client.get(reverse("home")).templates[0].name == "core/no_scope.html"
    assert client.get(reverse("committees:unit_detail", args=[tree.commune_a.pk])).status_code == 404
    assert client.get(reverse("dashboards:unit_dashboard", args=[tree.commune_b.pk])).status_code == 404
    assert client.get(reverse("congresses:my_unit")).status_code == 404


def test_an_inactive_user_reads_nothing(two_hats):
    two_hats.is_active = False
    assert not Unit.objects.visible_to(two_hats).exists()


# --- The cache --------------------------------------------------------------------------------


def test_a_cached_scope_costs_no_query(two_hats, django_assert_num_queries):
    from accounts.models import User

    fresh = User.objects.get(pk=two_hats.pk)  # a new request's user
    with django_assert_num_queries(0):
        assert access.scope_for(fresh).edit_unit_ids


def test_a_new_grant_is_seen_at_once(world, two_hats, client_for, commune_c):
    client = client_for(two_hats)
    url = reverse("dashboards:unit_dashboard", args=[commune_c.pk])
    assert client.get(url).status_code == 404  # the scope is cached now
    services.grant_add(user=two_hats, role=GrantRole.VIEWER, unit=commune_c)
    assert client.get(url).status_code == 200


def test_a_removed_grant_is_seen_at_once(world, two_hats, client_for):
    tree, _ = world
    client = client_for(two_hats)
    url = reverse("dashboards:unit_dashboard", args=[tree.commune_b.pk])
    assert client.get(url).status_code == 200
    services.grant_remove(grant=two_hats.grants.get(role=GrantRole.VIEWER))
    assert client.get(url).status_code == 404


def test_a_moved_unit_takes_the_scope_with_it(world, two_hats, client_for, commune_c,
                                              django_capture_on_commit_callbacks):
    tree, _ = world
    client = client_for(two_hats)
    url = reverse("dashboards:unit_dashboard", args=[tree.commune_b.pk])
    assert client.get(url).status_code == 200  # cached with commune B's old path
    with django_capture_on_commit_callbacks(execute=True):
        unit_services.unit_move(unit=tree.commune_b, new_parent=commune_c)
    assert client.get(url).status_code == 200
    # Commune C is not theirs, commune B under it is.
    assert client.get(reverse("dashboards:unit_dashboard", args=[commune_c.pk])).status_code == 404


def test_a_stale_tree_token_recomputes_the_scope(two_hats, tree, django_assert_num_queries,
                                                 django_capture_on_commit_callbacks):
    from accounts.models import User

    with django_capture_on_commit_callbacks(execute=True):
        access.tree_changed()
    fresh = User.objects.get(pk=two_hats.pk)
    with django_assert_num_queries(1):  # the grants, once
        access.scope_for(fresh)
        access.scope_for(fresh)
    with django_assert_num_queries(0):  # then cached for the next request
        access.scope_for(_fresh_copy(fresh))


def _fresh_copy(user):
    """The same user row as a new object (no memoised scope), without a query."""
    from accounts.models import User

    return User(**{f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields})


def test_personnel_plans_are_read_by_the_unit_and_its_superior_not_the_subtree():
    """A secretary prepares their unit's plan and approves their direct subordinates'; a
    viewer of the subtree reads neither (issue 13)."""
    from types import SimpleNamespace

    from accounts.access import Scope, build_scope

    secretary = build_scope([("secretary", 2, "0002", 1)])
    viewer = build_scope([("viewer", 1, "0001", 0)])
    assert secretary.personnel_unit_ids == (2,) and secretary.approver_unit_ids == (2,)
    assert viewer.personnel_unit_ids == () and viewer.approver_unit_ids == ()
    cell = SimpleNamespace(pk=5, parent_id=2)
    assert not viewer.can_read_personnel(cell)
    assert secretary.can_approve_personnel(cell) and not secretary.can_prepare_personnel(cell)
    assert secretary.can_prepare_personnel(2) and not secretary.can_prepare_personnel(3)
    assert Scope.from_cache(secretary.to_cache()) == secretary
