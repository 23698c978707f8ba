from django.apps import AppConfig

ACTIONS = {
    "project.create": "新建重大项目",
    "project.update": "修改重大项目",
    "project.plan_save": "保存年度计划",
    "project.report_save": "保存项目月报",
    "project.report_submit": "报送项目月报",
    "project.report_approve": "审核通过项目月报",
    "project.report_return": "退回项目月报",
    "project.photo_add": "上传月报现场照片",
    "project.month_lock": "锁定月报月份",
    "project.month_unlock": "解锁月报月份",
    "project.target_set": "设置季度目标",
    "project.settings_update": "修改重大项目参数",
    "project.import": "导入重大项目数据",
}


class ProjectsConfig(AppConfig):
    name = "dudao.projects"
    label = "projects"
    verbose_name = "重大项目"

    def ready(self) -> None:
        from dudao.audit.actions import register

        for code, label in ACTIONS.items():
            register(code, label)
