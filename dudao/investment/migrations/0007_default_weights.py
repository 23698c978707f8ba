"""Default assessment weights (100 分), after the 玉林 "大兑现" weighting of domain-research §5.4
(履约率 10, 开竣工率 20, 资金到位率 35 …) adapted to the ratios this module computes."""

from decimal import Decimal
from typing import Any

from django.db import migrations

SOURCE = "参照玉林市招商引资“大兑现”考核：履约率10分、开竣工率20分、资金到位率35分"
WEIGHTS = [
    ("performance", "10"),
    ("start", "20"),
    ("production", "20"),
    ("funds", "35"),
    ("fit", "15"),
]


def forwards(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("investment", "AssessmentWeight")
    for key, weight in WEIGHTS:
        model.objects.get_or_create(
            key=key, defaults={"weight": Decimal(weight), "cap": Decimal("1"), "source": SOURCE}
        )


def backwards(apps: Any, schema_editor: Any) -> None:
    apps.get_model("investment", "AssessmentWeight").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("investment", "0006_assessment_weights")]
    operations = [migrations.RunPython(forwards, backwards)]
