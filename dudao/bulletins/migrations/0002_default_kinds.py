"""The four shipped document kinds (editable afterwards: numbering, recipients, sections)."""

from django.db import migrations

SECTIONS = ["opening", "basic", "progress", "problems", "requirements", "attachments"]
MAIN = ["county_gov", "park_committee"]
COPY = ["drc", "statistics", "commerce"]

KINDS = [
    {
        "code": "projects",
        "name": "重大项目建设进展通报",
        "title_template": "关于{period}{scope}重大项目建设进展情况的通报",
        "org_code": "示督通",
        "numbering": "wenhao",
        "periodicity": "monthly",
        "basis": "《示范市重大项目建设督查办法》",
        "method": "市政府督查室会同市发展改革委，通过调取月报数据、抽查现场等方式",
        "requirements": [
            "各县（市、区）要对照红黄灯项目清单，逐个分析滞后原因，落实“一个项目、一名领导、一套班子、一抓到底”的推进机制。",
            "亮红灯的项目所在地要在10个工作日内报送整改措施，市政府督查室将跟踪督办。",
            "各地要严格落实月报制度，确保数据真实、准确、及时。",
        ],
        "is_monthly_job": True,
        "sort_order": 10,
    },
    {
        "code": "parks",
        "name": "产业集聚区运行情况通报",
        "title_template": "关于{period}{scope}产业集聚区运行情况的通报",
        "org_code": "示集运",
        "numbering": "qishu",
        "periodicity": "monthly",
        "basis": "市统计局发布的统计数据",
        "method": "",
        "requirements": [
            "各产业集聚区要聚焦主导产业，加快项目建设和企业培育，持续提升对全市经济的支撑带动作用。",
            "指标增速低于全市的集聚区要深入分析原因，制定针对性措施。",
        ],
        "is_monthly_job": True,
        "sort_order": 20,
    },
    {
        "code": "supervision",
        "name": "督查通报",
        "title_template": "关于{period}{scope}督查任务办理情况的通报",
        "org_code": "示督通",
        "numbering": "wenhao",
        "periodicity": "monthly",
        "basis": "《示范市督查工作办法》",
        "method": "市政府督查室通过督查督办系统核查任务办理和问题整改情况",
        "requirements": [
            "对逾期未办结的任务，责任单位要说明原因，明确办结时限。",
            "好的要总结经验、及时推广；差的要查明原因、通报批评；造成严重后果的，依规依纪追责问责。",
        ],
        "is_monthly_job": False,
        "sort_order": 30,
    },
    {
        "code": "inspections",
        "name": "观摩督导情况通报",
        "title_template": "关于{scope}重大项目观摩督导情况的通报",
        "org_code": "示督通",
        "numbering": "wenhao",
        "periodicity": "event",
        "basis": "市委、市政府关于开展重大项目观摩督导活动的安排",
        "method": "市领导带队，分组实地观摩、现场打分",
        "requirements": [
            "观摩中发现的问题已转入问题台账，责任单位要限期整改到位。",
            "排名靠后的县（市、区）要认真查找差距，拿出赶超措施。",
        ],
        "is_monthly_job": False,
        "sort_order": 40,
    },
]


def add(apps, schema_editor):  # type: ignore[no-untyped-def]
    kind = apps.get_model("bulletins", "BulletinKind")
    for data in KINDS:
        code = data["code"]
        defaults = {k: v for k, v in data.items() if k != "code"}
        kind.objects.get_or_create(
            code=code,
            defaults={
                **defaults,
                "issuer_suffix": "督查室",
                "main_to_kinds": MAIN,
                "copy_to_kinds": COPY,
                "sections": SECTIONS,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("bulletins", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
