"""PostgreSQL only: a GIN index on the units' search vector (documents.search.unit_vector:
the folded name, weight A, and the code, weight B), so that the portal's search finds a
unit among the country's 60,000 without computing every unit's vector (about 300 ms a
search on the national tree, a few ms with the index). SQLite searches the folded column
with LIKE, unindexed, as before."""

from django.db import migrations

INDEX = "unit_search_idx"


def _index(apps):
    from django.contrib.postgres.indexes import GinIndex

    from documents.search import unit_vector

    return apps.get_model("committees", "Unit"), GinIndex(unit_vector(), name=INDEX)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        model, index = _index(apps)
        schema_editor.add_index(model, index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        model, index = _index(apps)
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0003_unaccent"),
        ("committees", "0004_unit_kind_name_keys"),
    ]

    operations = [migrations.RunPython(create, drop)]
