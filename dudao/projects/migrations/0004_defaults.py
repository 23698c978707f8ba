"""Default milestone nodes and the settings row (thresholds [P], editable afterwards)."""

from django.db import migrations

NODES = [
    ("SIGN", "签约", 10, ""),
    ("FILING", "备案", 20, ""),
    ("LAND", "用地", 30, ""),
    ("EIA", "环评", 40, ""),
    ("START", "开工", 50, "start"),
    ("MAIN", "主体完工", 60, ""),
    ("COMPLETE", "竣工", 70, "complete"),
    ("PRODUCE", "投产", 80, "produce"),
]


def add(apps, schema_editor):  # type: ignore[no-untyped-def]
    node = apps.get_model("projects", "MilestoneNode")
    for code, name, order, role in NODES:
        node.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order, "role": role}
        )
    apps.get_model("projects", "ProjectSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_registry_reports")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
