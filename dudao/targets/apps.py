from django.apps import AppConfig

ACTIONS = {
    "targets.import": "导入年度目标任务表",
    "targets.set_approve": "确认下达年度目标",
    "targets.row_update": "修改年度目标",
    "targets.classes_update": "设置目标分类排队分组",
    "targets.improvement_task": "薄弱环节转为整改督查任务",
    "targets.settings_update": "修改目标亮灯阈值",
    "targets.ranks_import": "导入全省可比位次",
}


class TargetsConfig(AppConfig):
    name = "dudao.targets"
    label = "targets"
    verbose_name = "年度目标"

    def ready(self) -> None:
        from dudao.audit.actions import register

        for code, label in ACTIONS.items():
            register(code, label)
