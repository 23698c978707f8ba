"""The default project categories (editable afterwards)."""

from django.db import migrations

DEFAULTS = [
    ("industry", "产业", 10),
    ("urban", "城建", 20),
    ("infrastructure", "基础设施", 30),
    ("livelihood", "社会民生", 40),
]


def add(apps, schema_editor):  # type: ignore[no-untyped-def]
    category = apps.get_model("projects", "ProjectCategory")
    for code, name, order in DEFAULTS:
        category.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
