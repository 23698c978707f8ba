"""Default light rules, escalation rules and task categories (domain-research §4.5, [P]).

They are data: 督查员 edits thresholds on the rules page; this migration only seeds them.
"""

from decimal import Decimal
from typing import Any

from django.db import migrations

LIGHT_RULES = [
    # code, label, metric, yellow_from, red_from, grey_from, lower_is_worse, order
    ("overdue", "超过完成时限未销号", "days_overdue", None, Decimal(1), None, False, 10),
    (
        "due_soon",
        "距完成时限不足 3 个工作日",
        "remaining_workdays",
        Decimal(3),
        None,
        None,
        True,
        20,
    ),
    (
        "behind_time",
        "进度落后时间进度 20 个百分点及以上",
        "progress_lag",
        Decimal(20),
        None,
        None,
        False,
        30,
    ),
    ("milestone", "到期节点未达到应达进度", "milestones_missed", Decimal(1), None, None, False, 40),
    (
        "no_feedback",
        "一个反馈周期内未反馈",
        "cycles_without_feedback",
        None,
        None,
        Decimal(1),
        False,
        50,
    ),
]
ESCALATION_RULES = [
    ("two_yellow", "连续两个周期黄灯，发督办函", "yellow", 2, "letter"),
    ("three_red", "连续三个周期红灯，约谈主要负责同志", "red", 3, "interview"),
]
CATEGORIES = [
    ("JJQ", "集聚区提质转型"),
    ("XMJS", "项目建设"),
    ("ZSYZ", "招商引资"),
    ("ZLS", "抓落实"),
    ("OTHER", "其他重点工作"),
]


def seed(apps: Any, schema_editor: Any) -> None:
    LightRule = apps.get_model("supervision", "LightRule")
    EscalationRule = apps.get_model("supervision", "EscalationRule")
    TaskCategory = apps.get_model("supervision", "TaskCategory")
    for code, label, metric, yellow, red, grey, lower, order in LIGHT_RULES:
        LightRule.objects.get_or_create(
            code=code,
            defaults={
                "label": label,
                "metric": metric,
                "yellow_from": yellow,
                "red_from": red,
                "grey_from": grey,
                "lower_is_worse": lower,
                "sort_order": order,
            },
        )
    for code, label, light, n, action in ESCALATION_RULES:
        EscalationRule.objects.get_or_create(
            code=code, defaults={"label": label, "light": light, "consecutive": n, "action": action}
        )
    for order, (code, name) in enumerate(CATEGORIES):
        TaskCategory.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
