"""One grant per existing user, equivalent to their (role, unit):

- admin → an administrator grant (no unit; a unit an admin had gave nothing more);
- viewer or secretary with a unit → that role on that unit;
- a viewer without a unit read nothing and gets no grant.

Backwards, the strongest grant of each user (admin, then secretary, then viewer) goes back
to role and unit; a user with several grants keeps only that one.
"""

from django.db import migrations

ADMIN, SECRETARY, VIEWER = "admin", "secretary", "viewer"


def grants_from_roles(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Grant = apps.get_model("accounts", "Grant")
    grants = []
    for user_id, role, unit_id in User.objects.values_list("pk", "role", "unit_id").iterator():
        if role == ADMIN:
            grants.append(Grant(user_id=user_id, role=ADMIN, unit_id=None))
        elif role in (VIEWER, SECRETARY) and unit_id is not None:
            grants.append(Grant(user_id=user_id, role=role, unit_id=unit_id))
    Grant.objects.bulk_create(grants, batch_size=5000)


def roles_from_grants(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Grant = apps.get_model("accounts", "Grant")
    rank = {ADMIN: 0, SECRETARY: 1, VIEWER: 2}
    first = {}
    for grant in Grant.objects.order_by("pk").iterator():
        held = first.get(grant.user_id)
        if held is None or rank.get(grant.role, 9) < rank.get(held.role, 9):
            first[grant.user_id] = grant
    for user_id, grant in first.items():
        User.objects.filter(pk=user_id).update(role=grant.role, unit_id=grant.unit_id)
    Grant.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_grant'),
    ]

    operations = [
        migrations.RunPython(grants_from_roles, roles_from_grants),
    ]
