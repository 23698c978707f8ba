"""The default problem categories with their time limits in days (editable afterwards)."""

from django.db import migrations

DEFAULTS = [
    ("land", "用地", 60, 10),
    ("funding", "资金", 30, 20),
    ("approval", "审批", 20, 30),
    ("demolition", "拆迁", 60, 40),
    ("eia", "环评", 30, 50),
    ("utilities", "水电气", 15, 60),
    ("progress", "进度", 30, 70),
    ("quality", "质量安全", 15, 80),
    ("other", "其他", 30, 90),
]


def add(apps, schema_editor):  # type: ignore[no-untyped-def]
    category = apps.get_model("problems", "ProblemCategory")
    for code, name, days, order in DEFAULTS:
        category.objects.get_or_create(
            code=code, defaults={"name": name, "sla_days": days, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("problems", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
