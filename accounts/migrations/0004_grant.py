"""Grants: the hats a user wears (accounts.models.Grant), and the user's grants version."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_user_unread_notifications'),
        ('committees', '0003_alter_unit_level'),
    ]

    operations = [
        migrations.CreateModel(
            name='Grant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('viewer', 'Provincial viewer'), ('secretary', 'Committee secretary'), ('admin', 'Administrator')], max_length=16, verbose_name='role')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='granted at')),
            ],
            options={
                'verbose_name': 'grant',
                'verbose_name_plural': 'grants',
                'ordering': ['user', 'role', 'unit'],
            },
        ),
        migrations.AddField(
            model_name='user',
            name='grants_version',
            field=models.CharField(blank=True, default='', editable=False, help_text="Replaced whenever the user's grants change: the key of their cached scope.", max_length=32, verbose_name='grants version'),
        ),
        migrations.AddField(
            model_name='grant',
            name='created_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='granted by'),
        ),
        migrations.AddField(
            model_name='grant',
            name='unit',
            field=models.ForeignKey(blank=True, help_text='The unit the role applies to (with its whole subtree for reading); empty for an administrator.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='grants', to='committees.unit', verbose_name='unit'),
        ),
        migrations.AddField(
            model_name='grant',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='grants', to=settings.AUTH_USER_MODEL, verbose_name='user'),
        ),
        migrations.AddIndex(
            model_name='grant',
            index=models.Index(fields=['role', 'unit'], name='grant_role_unit_idx'),
        ),
        migrations.AddConstraint(
            model_name='grant',
            constraint=models.CheckConstraint(condition=models.Q(('role', 'admin'), ('unit__isnull', False), _connector='OR'), name='grant_unit_required_unless_admin', violation_error_message='Choose the unit this role applies to.'),
        ),
        migrations.AddConstraint(
            model_name='grant',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('role', 'admin'), _negated=True), ('unit__isnull', True), _connector='OR'), name='grant_admin_has_no_unit', violation_error_message='An administrator reads and edits every unit: leave the unit empty.'),
        ),
        migrations.AddConstraint(
            model_name='grant',
            constraint=models.UniqueConstraint(fields=('user', 'role', 'unit'), name='grant_unique_user_role_unit', violation_error_message='The user already holds this role on this unit.'),
        ),
        migrations.AddConstraint(
            model_name='grant',
            constraint=models.UniqueConstraint(condition=models.Q(('role', 'admin')), fields=('user',), name='grant_one_admin_per_user', violation_error_message='The user is already an administrator.'),
        ),
    ]
