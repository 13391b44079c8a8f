"""User.role and User.unit give way to grants (0005 copied them)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_grants_from_user_roles'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='user',
            name='user_secretary_has_unit',
        ),
        migrations.RemoveField(
            model_name='user',
            name='role',
        ),
        migrations.RemoveField(
            model_name='user',
            name='unit',
        ),
    ]
