"""Defaults for the per-indicator phrasing and magnitude checks (issue 15).

固定资产投资 words its change as the speech does ("较去年同期下降8.2个百分点"); the others keep
the settings' prefix ("同比提高16.2个百分点"). Amounts in 万元 get plausible ranges per level
wide enough for any real park, county or city, and narrow enough that a column typed in 亿元
(10,000 times smaller) falls below them. All of it is data: a 督查员 changes it in the catalogue.
"""

from decimal import Decimal
from typing import Any

from django.db import migrations

# level → (minimum, maximum) for an amount in 万元 (1–N月累计 or 期末数)
MONEY_RANGES = {
    "park": (Decimal("100"), Decimal("100000000")),  # 100万元 … 1万亿元
    "county": (Decimal("1000"), Decimal("500000000")),  # 1000万元 … 5万亿元
    "city": (Decimal("10000"), Decimal("5000000000")),  # 1亿元 … 50万亿元
}
ALIASES = {
    "fai": "固投、固定资产投资额",
    "industrial_revenue": "主营业务收入、规上工业主营业务收入、营业收入",
    "profit": "利润、规上工业利润总额",
    "tax_revenue": "税收",
}


def forwards(apps: Any, schema_editor: Any) -> None:
    Indicator = apps.get_model("stats", "Indicator")
    Indicator.objects.filter(code="fai").update(change_prefix="较去年同期")
    for code, aliases in ALIASES.items():
        Indicator.objects.filter(code=code, aliases="").update(aliases=aliases)
    money = Indicator.objects.filter(unit="万元", numerator__isnull=True)
    for level, (low, high) in MONEY_RANGES.items():
        money.filter(**{f"plausible_min_{level}__isnull": True}).update(
            **{f"plausible_min_{level}": low, f"plausible_max_{level}": high}
        )
    # Profit may be a loss: no lower bound below zero is implied, the check skips values ≤ 0.
    Indicator.objects.filter(kind="rate").update(parts_within_whole=False)
    Indicator.objects.filter(numerator__isnull=False).update(parts_within_whole=False)


class Migration(migrations.Migration):
    dependencies = [("stats", "0003_indicator_phrasing_and_checks")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
