"""The `unaccent` extension for the portal's search on PostgreSQL (documents.search).
Nothing on SQLite: its search folds text with core.text.fold instead."""

from django.db import migrations


def create_unaccent(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_congress_documents")]

    operations = [migrations.RunPython(create_unaccent, migrations.RunPython.noop)]
