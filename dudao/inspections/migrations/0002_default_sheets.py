"""Default score sheets (domain-research §3.5 [P]; editable afterwards): 产业项目 and 城建项目
(100 points each) and the county-level sheet with the speech's three marks."""

from decimal import Decimal

from django.db import migrations

SHEETS = [
    (
        "industry",
        "产业项目评分表",
        "site",
        [
            ("scale", "项目规模", "20", "总投资、年度投资、投资强度（万元/亩）；单体投资较大"),
            ("technology", "科技含量与产业层次", "20", "高新技术/战略性新兴产业，研发投入，专利"),
            ("leverage", "带动作用与链条关联", "20", "与主导产业/集群关联，强链补链延链，龙头带动"),
            ("progress", "建设进度与形象进度", "20", "完成率与序时进度，节点达成，现场形象"),
            ("benefit", "效益与绿色安全", "10", "预期产出、税收（亩均），环保、能耗、安全"),
            ("presentation", "汇报讲解与组织", "10", "主要领导现场讲解，组织有序"),
        ],
    ),
    (
        "urban",
        "城建项目评分表",
        "site",
        [
            ("scale", "项目规模", "20", "总投资、年度投资"),
            ("livelihood", "功能与民生效益", "25", "补齐城市功能短板，惠及群众"),
            ("quality", "建设质量与品位", "20", "工程质量、设计品位、文明施工"),
            ("progress", "建设进度", "25", "完成率与序时进度，节点达成"),
            ("presentation", "汇报讲解", "10", "现场讲解清楚，组织有序"),
        ],
    ),
    (
        "county",
        "县级综合评分表",
        "county",
        [
            ("strategy", "发展思路", "30", "发展思路清晰，主导产业明确"),
            ("quality", "项目质量", "40", "项目单体投资大、科技含量高、带动作用强"),
            ("results", "发展成效", "30", "主要经济指标、产业集聚区建设成效"),
        ],
    ),
]


def add(apps, schema_editor):  # type: ignore[no-untyped-def]
    sheet_model = apps.get_model("inspections", "ScoreSheet")
    criterion_model = apps.get_model("inspections", "Criterion")
    for code, name, kind, criteria in SHEETS:
        sheet, created = sheet_model.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind}
        )
        if not created:
            continue
        for order, (c_code, c_name, points, guidance) in enumerate(criteria, start=1):
            criterion_model.objects.create(
                sheet=sheet,
                code=c_code,
                name=c_name,
                max_points=Decimal(points),
                guidance=guidance,
                sort_order=order * 10,
            )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
