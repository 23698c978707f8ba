"""Default indicator catalogue (issue 4 §2) and the settings row. Admins add more as data."""

from decimal import Decimal
from typing import Any

from django.db import migrations

# code, name, unit, kind, decimals, price_basis, scope, verb, reference_label, in_summary, direction
DEFAULTS = [
    (
        "fai",
        "固定资产投资",
        "万元",
        "flow",
        1,
        "current",
        "500万元以上项目",
        "完成",
        "全市固定资产投资增速",
        True,
        1,
    ),
    (
        "industrial_investment",
        "工业投资",
        "万元",
        "flow",
        1,
        "current",
        "500万元以上项目",
        "完成",
        "全市工业投资增速",
        False,
        1,
    ),
    (
        "industrial_value_added",
        "规上工业增加值",
        "万元",
        "flow",
        1,
        "comparable",
        "规模以上工业",
        "实现",
        "全市规上工业增加值增速",
        False,
        1,
    ),
    (
        "industrial_revenue",
        "规模以上工业主营业务收入",
        "万元",
        "flow",
        1,
        "current",
        "规模以上工业",
        "完成",
        "全市工业",
        True,
        1,
    ),
    (
        "profit",
        "利润总额",
        "万元",
        "flow",
        1,
        "current",
        "规模以上工业",
        "实现",
        "全市工业",
        True,
        1,
    ),
    ("tax_revenue", "税收收入", "万元", "flow", 1, "current", "全口径", "完成", "全市", True, 1),
    (
        "employees",
        "从业人员",
        "人",
        "stock",
        0,
        "current",
        "规模以上工业",
        "吸纳",
        "全市",
        False,
        1,
    ),
    (
        "above_scale_firms",
        "规上企业数",
        "家",
        "stock",
        0,
        "current",
        "规模以上工业",
        "拥有",
        "全市",
        False,
        1,
    ),
    (
        "high_tech_firms",
        "高新技术企业数",
        "家",
        "stock",
        0,
        "current",
        "有效期内",
        "拥有",
        "全市",
        False,
        1,
    ),
    (
        "rd_expenditure",
        "R&D经费支出",
        "万元",
        "flow",
        1,
        "current",
        "规模以上工业",
        "投入",
        "全市",
        False,
        1,
    ),
    (
        "energy_consumption",
        "综合能耗",
        "吨标准煤",
        "flow",
        0,
        "current",
        "规模以上工业",
        "消耗",
        "全市",
        False,
        -1,
    ),
    ("built_area", "建成区面积", "平方公里", "stock", 2, "current", "", "达到", "全市", False, 1),
    (
        "out_of_province_funds",
        "实际利用省外资金",
        "万元",
        "flow",
        1,
        "current",
        "",
        "完成",
        "全市",
        False,
        1,
    ),
    (
        "foreign_capital",
        "实际利用外资",
        "万美元",
        "flow",
        0,
        "current",
        "",
        "完成",
        "全市",
        False,
        1,
    ),
]


def load(apps: Any, schema_editor: Any) -> None:
    Indicator = apps.get_model("stats", "Indicator")
    StatsSettings = apps.get_model("stats", "StatsSettings")
    by_code = {}
    for order, row in enumerate(DEFAULTS):
        code, name, unit, kind, decimals, basis, scope, verb, ref, in_summary, direction = row
        by_code[code] = Indicator.objects.create(
            code=code,
            name=name,
            unit=unit,
            kind=kind,
            decimals=decimals,
            price_basis=basis,
            scope=scope,
            verb=verb,
            reference_label=ref,
            in_summary=in_summary,
            direction=direction,
            sort_order=(order + 1) * 10,
        )
    # 亩均税收 (万元/亩) = 税收收入 (万元) ÷ (建成区面积 (平方公里) × 1500 亩/平方公里).
    Indicator.objects.create(
        code="tax_per_mu",
        name="亩均税收",
        unit="万元/亩",
        kind="rate",
        decimals=2,
        scope="建成区",
        verb="达到",
        reference_label="全市",
        numerator=by_code["tax_revenue"],
        denominator=by_code["built_area"],
        divisor=Decimal(1500),
        description="税收收入 ÷ 建成区面积；1平方公里 = 1500亩。",
        sort_order=(len(DEFAULTS) + 1) * 10,
    )
    StatsSettings.objects.get_or_create(pk=1)


def unload(apps: Any, schema_editor: Any) -> None:
    apps.get_model("stats", "Indicator").objects.all().delete()
    apps.get_model("stats", "StatsSettings").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
