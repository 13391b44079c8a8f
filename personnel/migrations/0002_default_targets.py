"""The default composition target of every level (no term), which an admin then changes."""

from django.db import migrations



def create(apps, schema_editor):
    from committees.models import Level

    Target = apps.get_model("personnel", "CompositionTarget")
    for level in Level.values:
        Target.objects.get_or_create(term=None, level=level)


class Migration(migrations.Migration):
    dependencies = [("personnel", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
