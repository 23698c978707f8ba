"""Ship the two Henan regimes as templates (domain-research §1.1, §1.5): the dimension names
are public, the indicator lists and weights are not, so no indicator is shipped; the province's
published results are imported against these codes."""

from typing import Any

from django.db import migrations

TEMPLATES: list[dict[str, Any]] = [
    {
        "code": "HN-CJQ-2017",
        "name": "河南省产业集聚区考核评价办法",
        "first_year": 2017,
        "last_year": 2021,
        "source_doc": "《河南省产业集聚区考核评价办法》（2017年起；结果如 豫集聚办〔2018〕5号）",
        "description": (
            "4个维度10项指标；评出“优秀产业集聚区”并授予星级（一至六星）。"
            "指标清单和权重未公开发布，请导入省级公布的综合排名，或在此录入办法全文后计算。"
        ),
        "star_max": 6,
        "dimensions": ["经济总量", "质量效益", "集群发展", "绿色发展"],
    },
    {
        "code": "HN-KFQ-2022",
        "name": "河南省开发区高质量发展考核评价办法",
        "first_year": 2022,
        "last_year": None,
        "source_doc": "《河南省开发区高质量发展考核评价办法》（2022年首次实施，2023年修订为4类15项）",
        "description": (
            "产业集聚区整合为开发区后的考评体系；星级为一至五星。"
            "指标清单和权重未公开发布，请导入省级公布的综合排名，或在此录入办法全文后计算。"
        ),
        "star_max": 5,
        "dimensions": ["产业升级", "创新驱动", "集约节约", "绿色发展"],
    },
]


def create(apps: Any, schema_editor: Any) -> None:
    Regime = apps.get_model("evaluation", "Regime")
    Dimension = apps.get_model("evaluation", "Dimension")
    previous = None
    for spec in TEMPLATES:
        data = {k: v for k, v in spec.items() if k != "dimensions"}
        regime, created = Regime.objects.get_or_create(
            code=spec["code"], defaults={**data, "predecessor": previous}
        )
        if created:
            for i, name in enumerate(spec["dimensions"]):
                Dimension.objects.create(regime=regime, name=name, sort_order=i)
        previous = regime


def remove(apps: Any, schema_editor: Any) -> None:
    Regime = apps.get_model("evaluation", "Regime")
    Regime.objects.filter(
        code__in=[t["code"] for t in TEMPLATES], result_sets__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
