"""accounts 0005: every user's (role, unit) becomes an equivalent grant, run for real with
the MigrationExecutor on the historical models (migrate back before it, write users with
the old fields, migrate forward)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0004_grant")]
AFTER = [("accounts", "0006_remove_user_role_unit")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()  # the previous migrate changed what is applied
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_each_user_gets_the_grant_equivalent_to_their_role_and_unit():
    old = _migrate(BEFORE)
    try:
        Unit = old.get_model("committees", "Unit")
        User = old.get_model("accounts", "User")
        province = Unit.objects.create(code="P", name="Tỉnh ủy", level="province", path="000001", depth=0)
        commune = Unit.objects.create(code="A", name="Xã An Phú", level="upper", path="000002", depth=1,
                                      parent=province)
        User.objects.create(username="admin", role="admin", unit=None)
        User.objects.create(username="admin_with_unit", role="admin", unit=province)
        User.objects.create(username="viewer", role="viewer", unit=province)
        User.objects.create(username="secretary", role="secretary", unit=commune)
        User.objects.create(username="nobody", role="viewer", unit=None)

        new = _migrate(AFTER)

        Grant = new.get_model("accounts", "Grant")
        grants = {
            (g.user.username, g.role, g.unit.code if g.unit_id else None)
            for g in Grant.objects.select_related("user", "unit")
        }
        assert grants == {
            ("admin", "admin", None),
            ("admin_with_unit", "admin", None),
            ("viewer", "viewer", "P"),
            ("secretary", "secretary", "A"),
        }
        NewUser = new.get_model("accounts", "User")
        assert NewUser.objects.count() == 5  # "nobody" is kept, without a grant
        assert not {f.name for f in NewUser._meta.get_fields()} & {"role", "unit"}
    finally:
        # Leave the schema as the other tests expect it, every later migration applied too
        # (the rows are flushed).
        executor = MigrationExecutor(connection)
        _migrate(executor.loader.graph.leaf_nodes())
