"""Default target indicators (the ones every city's sheet names) and the threshold row
(§4.5/§9.5: yellow from 10, red above 30 个百分点 behind 序时进度; weak link above 10)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# code, name, unit, direction, source, source code
INDICATORS = [
    ("fai", "固定资产投资", "万元", 1, "stats", "fai"),
    ("industrial_investment", "工业投资", "万元", 1, "stats", "industrial_investment"),
    ("industrial_value_added", "规上工业增加值", "万元", 1, "stats", "industrial_value_added"),
    ("industrial_revenue", "规上工业主营业务收入", "万元", 1, "stats", "industrial_revenue"),
    ("profit", "规上工业利润总额", "万元", 1, "stats", "profit"),
    ("tax_revenue", "税收收入", "万元", 1, "stats", "tax_revenue"),
    ("out_of_province_funds", "实际利用省外资金", "万元", 1, "stats", "out_of_province_funds"),
    ("energy_consumption", "规上工业综合能耗", "吨标准煤", -1, "stats", "energy_consumption"),
    ("project_investment", "重大项目完成投资", "万元", 1, "projects", "ytd_investment"),
    ("project_funds", "重大项目到位资金", "万元", 1, "projects", "funds"),
    ("project_starts", "新开工重大项目", "个", 1, "projects", "starts"),
    ("project_completions", "竣工重大项目", "个", 1, "projects", "completions"),
]


def load(apps: Any, schema_editor: Any) -> None:
    TargetIndicator = apps.get_model("targets", "TargetIndicator")
    TargetSettings = apps.get_model("targets", "TargetSettings")
    for order, (code, name, unit, direction, source, source_code) in enumerate(INDICATORS, 1):
        TargetIndicator.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "direction": direction,
                "source": source,
                "source_code": source_code,
                "sort_order": order * 10,
            },
        )
    if not TargetSettings.objects.exists():
        TargetSettings.objects.create()


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
