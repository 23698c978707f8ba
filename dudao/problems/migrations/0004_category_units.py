"""Which default categories count their time limit in 工作日 (administrative approvals follow the
行政许可法 practice of working days); the others keep 自然日. Editable afterwards."""

from django.db import migrations

WORKDAY_CATEGORIES = ("approval", "utilities")


def set_units(apps, schema_editor):  # type: ignore[no-untyped-def]
    category = apps.get_model("problems", "ProblemCategory")
    category.objects.filter(code__in=WORKDAY_CATEGORIES).update(sla_unit="workday")


class Migration(migrations.Migration):
    dependencies = [("problems", "0003_ledger_workflow")]
    operations = [migrations.RunPython(set_units, migrations.RunPython.noop)]
