from django.apps import AppConfig

ACTIONS = {
    "inspections.tour.create": "新建观摩活动",
    "inspections.tour.update": "修改观摩活动",
    "inspections.tour.transition": "观摩活动状态变更",
    "inspections.tour.publish": "发布观摩结果",
    "inspections.tour.cancel": "取消观摩活动",
    "inspections.plan.import": "导入观摩路线",
    "inspections.group.create": "新建观摩组",
    "inspections.unit.create": "添加参评单位",
    "inspections.site.create": "添加观摩点位",
    "inspections.site.delete": "删除观摩点位",
    "inspections.judge.create": "添加评委",
    "inspections.judge.delete": "移除评委",
    "inspections.card.save": "保存观摩评分",
    "inspections.card.submit": "提交观摩评分",
    "inspections.card.photo": "上传观摩现场照片",
    "inspections.votes.cast": "提交排名投票",
    "inspections.finding.create": "记录观摩发现问题",
    "inspections.finding.confirm": "确认交办观摩发现问题",
    "inspections.finding.dismiss": "不予交办观摩发现问题",
    "inspections.provincial.import": "导入全省观摩结果",
    "inspections.sheet.update": "修改观摩评分表",
    "inspections.sheet.copy": "复制观摩评分表",
}


class InspectionsConfig(AppConfig):
    name = "dudao.inspections"
    label = "inspections"
    verbose_name = "观摩督导"

    def ready(self) -> None:
        from dudao.audit.actions import register

        for code, label in ACTIONS.items():
            register(code, label)
