"""The generators take their blocs and names from devdata.shapes: a bloc added or renamed
there appears in the demo province, the national benchmark tree and the import file."""

import pytest
from vietnam_provinces import Province, Ward

from devdata import national, shapes
from devdata.management.commands import load_demo
from devdata.management.commands.bench_import import national_rows


def test_demo_province_has_every_bloc_named_after_its_province():
    hue = next(p for p in Province.iter_all() if p.name == "Thành phố Huế")
    wards = [w for w in Ward.iter_all() if int(w.province_code) == int(hue.code)]
    units = load_demo.build_tree(hue, wards, shapes.seeded(shapes.DEMO_SEED))
    root = units[0]
    assert (root.name, root.kind) == ("Đảng bộ thành phố Huế", "city")
    blocs = [(u.code, u.name, u.kind) for u in root.children if u.kind not in shapes.COMMUNE_KINDS]
    assert blocs == [(f"{root.code}-{b.key}", b.name.format(t="thành phố"), b.kind) for b in shapes.BLOCS]
    assert all(u.kind in shapes.COMMUNE_KINDS and u.name.startswith("Đảng bộ ") for u in root.children[:-5])


@pytest.mark.django_db
def test_national_tree_and_import_file_have_the_same_blocs():
    tree = national._shape_tree(300, 3, 20, "VN", shapes.seeded(7))
    province = tree[1]
    assert [(u.code, u.kind) for u in province.children if u.kind not in shapes.COMMUNE_KINDS] == [
        (f"{province.code}-{b.key}", b.kind) for b in shapes.BLOCS
    ]
    rows, _shape = national_rows(60_000, "B-")
    province_of = {row[0]: row[2].removeprefix("Đảng bộ ") for row in rows if row[3] == "province"}  # "tỉnh Nghệ An"
    blocs = [row for row in rows if row[3] == "upper" and row[0].startswith("B-B")]  # B-B<province><bloc number>
    assert {row[4] for row in blocs} == {b.kind for b in shapes.BLOCS}
    for code, parent, name, _level, kind in blocs:
        bloc = shapes.BLOCS[int(code[-1]) - 1]
        assert (name, kind) == (f"{bloc.name.removesuffix(' {t}')} {province_of[parent]}", bloc.kind)
