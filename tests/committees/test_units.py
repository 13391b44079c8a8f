"""The unit tree: materialized paths and depths, moves of whole subtrees, and the scope
each user reads (`Unit.objects.visible_to`)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from committees.models import PATH_SEGMENT_WIDTH, Level, Unit, decode_path, encode_segment
from committees.services import unit_create, unit_move
from tests.factories import SecretaryFactory, UnitFactory, ViewerFactory

# --- Paths --------------------------------------------------------------------------------


@given(st.integers(min_value=1, max_value=36**PATH_SEGMENT_WIDTH - 1))
def test_segment_is_fixed_width_and_decodes_back(pk):
    segment = encode_segment(pk)
    assert len(segment) == PATH_SEGMENT_WIDTH
    assert decode_path(segment) == [pk]


@given(st.integers(min_value=1, max_value=10**9), st.integers(min_value=1, max_value=10**9))
def test_segments_sort_like_their_pks(a, b):
    # Fixed width makes string order numeric order, so no path is a prefix of a sibling's.
    assert (encode_segment(a) < encode_segment(b)) == (a < b)


def test_root_unit_path_is_its_own_segment(province):
    province.refresh_from_db()
    assert province.path == encode_segment(province.pk)
    assert province.depth == 0
    assert province.ancestor_ids == []


def test_unit_path_is_parent_path_plus_own_segment(tree):
    cell = Unit.objects.get(pk=tree.cell_a1.pk)
    assert cell.path == tree.commune_a.path + encode_segment(cell.pk)
    assert cell.depth == 2


def test_decode_path_lists_ancestors_root_first(tree):
    cell = Unit.objects.get(pk=tree.cell_a1.pk)
    assert decode_path(cell.path) == [tree.province.pk, tree.commune_a.pk, cell.pk]
    assert cell.ancestor_ids == [tree.province.pk, tree.commune_a.pk]


def test_ancestors_of_are_ordered_from_the_root(tree):
    assert list(Unit.objects.ancestors_of(tree.cell_a1)) == [tree.province, tree.commune_a]
    assert list(Unit.objects.ancestors_of(tree.cell_a1, include_self=True))[-1] == tree.cell_a1


def test_under_is_the_whole_subtree(tree):
    assert set(Unit.objects.under(tree.commune_a)) == {tree.commune_a, tree.cell_a1, tree.cell_a2}
    assert set(Unit.objects.under(tree.commune_a, include_self=False)) == {tree.cell_a1, tree.cell_a2}


def test_is_descendant_of(tree):
    assert tree.cell_a1.is_descendant_of(tree.province)
    assert tree.cell_a1.is_descendant_of(tree.cell_a1)
    assert not tree.cell_a1.is_descendant_of(tree.cell_a1, include_self=False)
    assert not tree.cell_a1.is_descendant_of(tree.commune_b)


def test_unit_create_rejects_a_duplicate_code(province):
    with pytest.raises(ValidationError) as excinfo:
        unit_create(code=province.code, name="Again", level=Level.PROVINCE)
    assert "code" in excinfo.value.message_dict


def test_unit_create_rejects_an_unknown_level(province):
    with pytest.raises(ValidationError) as excinfo:
        unit_create(code="X", name="X", level="county", parent=province)
    assert "level" in excinfo.value.message_dict


# --- Moves --------------------------------------------------------------------------------


def test_move_rewrites_paths_and_depths_of_the_whole_subtree(tree):
    sub = UnitFactory(code="A1-1", level=Level.SUB, parent=tree.cell_a1)

    unit_move(unit=tree.cell_a1, new_parent=tree.commune_b)

    cell = Unit.objects.get(pk=tree.cell_a1.pk)
    sub.refresh_from_db()
    assert cell.parent_id == tree.commune_b.pk
    assert cell.path == tree.commune_b.path + encode_segment(cell.pk)
    assert sub.path == cell.path + encode_segment(sub.pk)
    assert (cell.depth, sub.depth) == (2, 3)
    assert set(Unit.objects.under(tree.commune_b)) == {tree.commune_b, cell, sub}
    assert set(Unit.objects.under(tree.commune_a)) == {tree.commune_a, tree.cell_a2}


def test_move_to_the_top_makes_a_root(tree):
    unit_move(unit=tree.commune_a, new_parent=None)

    commune = Unit.objects.get(pk=tree.commune_a.pk)
    cell = Unit.objects.get(pk=tree.cell_a1.pk)
    assert commune.parent_id is None
    assert (commune.depth, cell.depth) == (0, 1)
    assert commune.path == encode_segment(commune.pk)
    assert decode_path(cell.path) == [commune.pk, cell.pk]


def test_move_one_level_deeper_shifts_every_depth(tree):
    sub = UnitFactory(code="A1-1", level=Level.SUB, parent=tree.cell_a1)

    unit_move(unit=tree.commune_a, new_parent=tree.commune_b)

    depths = dict(Unit.objects.under(tree.commune_b).values_list("code", "depth"))
    assert depths == {"B": 1, "A": 2, "A1": 3, "A2": 3, sub.code: 4}


def test_move_under_own_subordinate_is_refused_and_changes_nothing(tree):
    before = dict(Unit.objects.values_list("pk", "path"))

    with pytest.raises(ValidationError) as excinfo:
        unit_move(unit=tree.commune_a, new_parent=tree.cell_a1)

    assert "parent" in excinfo.value.message_dict
    assert dict(Unit.objects.values_list("pk", "path")) == before


def test_move_under_itself_is_refused(tree):
    with pytest.raises(ValidationError):
        unit_move(unit=tree.commune_a, new_parent=tree.commune_a)


def test_move_to_the_same_parent_changes_nothing(tree):
    before = dict(Unit.objects.values_list("pk", "path"))
    unit_move(unit=tree.cell_a1, new_parent=tree.commune_a)
    assert dict(Unit.objects.values_list("pk", "path")) == before


def test_moved_unit_changes_who_can_read_it(tree, secretary_a, secretary_b):
    unit_move(unit=tree.cell_a1, new_parent=tree.commune_b)
    assert tree.cell_a1 in Unit.objects.visible_to(secretary_b)
    assert tree.cell_a1 not in Unit.objects.visible_to(secretary_a)


# --- Scope --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_fixture", "codes"),
    [
        ("viewer", {"T", "A", "B", "A1", "A2"}),
        ("secretary_a", {"A", "A1", "A2"}),
        ("secretary_b", {"B"}),
        ("secretary_cell", {"A1"}),
        ("admin_user", {"T", "A", "B", "A1", "A2"}),
    ],
)
def test_visible_to_is_the_subtree_of_the_users_unit(request, tree, user_fixture, codes):
    user = request.getfixturevalue(user_fixture)
    assert set(Unit.objects.visible_to(user).values_list("code", flat=True)) == codes


def test_anonymous_sees_no_unit(tree):
    assert not Unit.objects.visible_to(AnonymousUser()).exists()


def test_user_without_unit_sees_no_unit(tree):
    assert not Unit.objects.visible_to(ViewerFactory(unit=None)).exists()


def test_deactivated_user_sees_no_unit(tree):
    assert not Unit.objects.visible_to(SecretaryFactory(unit=tree.commune_a, is_active=False)).exists()


# --- PostgreSQL -----------------------------------------------------------------------------


@pytest.mark.postgres
def test_subtree_query_is_a_range_scan_on_the_path_index(tree):
    """`under()` is `path LIKE 'prefix%'`: on PostgreSQL the varchar_pattern_ops index
    Django puts on the unique path answers it as a range, not a scan of every unit."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = Unit.objects.under(tree.commune_a).explain()
    assert "Index Cond" in plan and "~>=~" in plan, plan


# --- The unit list follows the scope --------------------------------------------------------


def test_unit_list_shows_only_the_users_subtree(client_for, secretary_a, tree):
    page = client_for(secretary_a).get("/units/?q=xã").content.decode()
    assert "Đảng bộ xã An Phú" in page
    assert "Đảng bộ xã Bình Minh" not in page


def test_unit_list_search_by_code(client_for, viewer, tree):
    page = client_for(viewer).get("/units/", {"q": "A1"}).content.decode()
    assert "Chi bộ thôn 1" in page
    assert "Chi bộ thôn 2" not in page


def test_unit_page_of_another_subtree_is_404(client_for, secretary_b, tree):
    assert client_for(secretary_b).get(f"/units/{tree.commune_a.pk}/").status_code == 404
