"""Load the shipped GB/T 2260 snapshot (Henan) so every installation has its regions."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from dudao.regions.loader import load_regions

    load_regions(apps.get_model("regions", "Region"))


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
