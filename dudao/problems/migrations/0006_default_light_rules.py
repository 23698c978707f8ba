"""The ledger's default light rules (editable afterwards by the 督查室, see docs/problems.md).

* 即将到期: 3 workdays or fewer left before the time limit → yellow;
* 逾期: 1 day late or more (in the problem's unit) → red;
* 多次退回: returned for rework twice → yellow, three times → red.
"""

from decimal import Decimal

from django.db import migrations

DEFAULTS = [
    # code, label, metric, yellow_from, red_from, lower_is_worse, sort_order
    (
        "wt_due_soon",
        "距整改时限剩余 3 个工作日及以内亮黄灯",
        "remaining_workdays",
        Decimal("3"),
        None,
        True,
        10,
    ),
    (
        "wt_overdue",
        "超过整改时限（按问题的时限单位）即亮红灯",
        "days_overdue",
        None,
        Decimal("1"),
        False,
        20,
    ),
    (
        "wt_returned",
        "退回整改 2 次亮黄灯，3 次及以上亮红灯",
        "return_count",
        Decimal("2"),
        Decimal("3"),
        False,
        30,
    ),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    rule = apps.get_model("problems", "ProblemLightRule")
    for code, label, metric, yellow, red, lower, order in DEFAULTS:
        rule.objects.get_or_create(
            code=code,
            defaults={
                "label": label,
                "metric": metric,
                "yellow_from": yellow,
                "red_from": red,
                "lower_is_worse": lower,
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("problems", "0005_ledger_lights_provisional_deadlines")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
