"""The shipped defaults: entry standards from the real examples of domain-research §5.5 (city-wide,
editable afterwards) and the stalled-deal light thresholds of the issue (跟踪问效)."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import migrations

# (zone level, industry prefix, metric, operator, threshold, unit, source)
STANDARDS: list[tuple[str, str, str, str, str, str, str]] = [
    (
        "",
        "",
        "investment_intensity",
        "gte",
        "300",
        "wan_mu",
        "某县开发区入园办法：投资强度≥300万元/亩",
    ),
    ("", "", "tax_per_mu", "gte", "30", "wan_mu", "某县开发区入园办法：亩均税收≥30万元/亩·年"),
    ("", "", "plot_ratio", "gte", "1.0", "ratio", "某县开发区入园办法：新建工业项目容积率≥1.0"),
    ("", "", "building_coverage", "gte", "40", "percent", "某县开发区入园办法：建筑系数≥40%"),
    (
        "",
        "",
        "building_coverage",
        "gte",
        "30",
        "percent",
        "《工业项目建设用地控制指标》：建筑系数≥30%",
    ),
    (
        "national",
        "",
        "investment_intensity",
        "gte",
        "350",
        "wan_mu",
        "福州市2024年入园指导意见：国家级园区投资强度≥350万元/亩",
    ),
    (
        "provincial",
        "",
        "investment_intensity",
        "gte",
        "270",
        "wan_mu",
        "福州市2024年入园指导意见：省级园区投资强度≥270万元/亩",
    ),
    (
        "",
        "13",
        "output_intensity",
        "gte",
        "300",
        "wan_mu",
        "隆昌市标准地2022：食品产业产出强度≥300万元/亩",
    ),
    (
        "",
        "14",
        "output_intensity",
        "gte",
        "300",
        "wan_mu",
        "隆昌市标准地2022：食品产业产出强度≥300万元/亩",
    ),
    (
        "",
        "34",
        "output_intensity",
        "gte",
        "350",
        "wan_mu",
        "隆昌市标准地2022：装备制造产出强度≥350万元/亩",
    ),
    (
        "",
        "35",
        "output_intensity",
        "gte",
        "350",
        "wan_mu",
        "隆昌市标准地2022：装备制造产出强度≥350万元/亩",
    ),
    ("", "13", "rd", "gte", "1", "percent", "隆昌市标准地2022：食品产业研发投入强度≥1%"),
    ("", "34", "rd", "gte", "2", "percent", "隆昌市标准地2022：装备制造研发投入强度≥2%"),
    ("", "35", "rd", "gte", "2", "percent", "隆昌市标准地2022：装备制造研发投入强度≥2%"),
]
# Shipped but switched off: the per-hectare rule of 聊城高新区 (shows the 公顷→亩 conversion).
INACTIVE: list[tuple[str, str, str, str, str, str, str]] = [
    (
        "",
        "",
        "tax_per_mu",
        "gte",
        "300",
        "wan_ha",
        "聊城高新区2013：亩均税收≥300万元/公顷（=20万元/亩）",
    ),
]
STALL = [
    ("signed_not_registered", 90, 180),
    ("registered_not_started", 182, 365),
    ("started_not_producing", 1, 90),
]


def forwards(apps: Any, schema_editor: Any) -> None:
    standard = apps.get_model("investment", "EntryStandard")
    rule = apps.get_model("investment", "StallRule")
    for rows, active in ((STANDARDS, True), (INACTIVE, False)):
        for zone, prefix, metric, op, threshold, unit, source in rows:
            standard.objects.create(
                jurisdiction=None,
                zone_level=zone,
                industry_prefix=prefix,
                metric=metric,
                operator=op,
                threshold=Decimal(threshold),
                unit=unit,
                valid_from=date(2020, 1, 1),
                source=source,
                is_active=active,
            )
    for kind, yellow, red in STALL:
        rule.objects.get_or_create(kind=kind, defaults={"yellow_days": yellow, "red_days": red})


def backwards(apps: Any, schema_editor: Any) -> None:
    apps.get_model("investment", "EntryStandard").objects.filter(jurisdiction=None).delete()
    apps.get_model("investment", "StallRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("investment", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
