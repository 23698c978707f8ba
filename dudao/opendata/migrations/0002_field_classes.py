"""The field classes, seeded from the catalogue (dudao/opendata/fields.py as of this migration):
personal fields locked internal, the rest public by default."""

from __future__ import annotations

from typing import Any

from django.db import migrations

FIELDS = [
    ("name", "项目名称", "basic", True, False),
    ("county", "所在县（市、区）", "basic", True, False),
    ("category", "项目类别", "basic", True, False),
    ("level", "项目级别", "basic", True, False),
    ("park", "所在园区", "basic", True, False),
    ("responsible_unit", "责任单位", "basic", True, False),
    ("code", "项目代码", "approval_service", True, False),
    ("description", "建设内容及规模", "approval_result", True, False),
    ("total_investment", "总投资（万元）", "approval_result", True, False),
    ("build_nature", "建设性质", "approval_result", True, False),
    ("industry_code", "国民经济行业代码", "approval_result", True, False),
    ("builder_name", "建设单位", "approval_result", True, False),
    ("builder_uscc", "建设单位统一社会信用代码", "approval_result", True, False),
    ("stage", "建设阶段", "construction", True, False),
    ("milestones", "形象进度节点（计划与实际日期）", "construction", True, False),
    ("investment", "年度计划投资与完成投资", "construction", True, False),
    ("completion", "竣工（投产）日期", "completion", True, False),
    ("lead_leader", "包联领导", "basic", False, True),
    ("liaison", "联络员", "basic", False, True),
    ("liaison_phone", "联络电话", "basic", False, True),
]


def seed(apps: Any, schema_editor: Any) -> None:
    FieldClass = apps.get_model("opendata", "FieldClass")
    for order, (key, label, category, public, locked) in enumerate(FIELDS):
        FieldClass.objects.update_or_create(
            key=key,
            defaults={
                "label": label,
                "category": category,
                "is_public": public,
                "locked_internal": locked,
                "sort_order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("opendata", "0001_publications_and_releases")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
