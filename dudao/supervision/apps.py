from django.apps import AppConfig

ACTIONS = {
    "supervision.source_create": "登记任务来源",
    "supervision.task_create": "创建督查任务",
    "supervision.task_update": "修改督查任务",
    "supervision.task_issue": "交办督查任务",
    "supervision.task_cascade": "一次交办多个单位",
    "supervision.instruction": "领导批示",
    "supervision.feedback": "填报任务进展",
    "supervision.closeout_apply": "申请销号",
    "supervision.closeout_verify": "核查通过并销号",
    "supervision.closeout_return": "销号退回",
    "supervision.extension_request": "申请延期",
    "supervision.extension_approve": "批准延期",
    "supervision.extension_refuse": "不批准延期",
    "supervision.escalate": "升级督办",
    "supervision.lights_recompute": "任务亮灯计算",
    "supervision.digest_send": "发送每日督查提醒",
    "supervision.rule_update": "修改亮灯规则",
    "supervision.task_deadline_recompute": "节假日安排录入后重算任务时限",
}


class SupervisionConfig(AppConfig):
    name = "dudao.supervision"
    label = "supervision"
    verbose_name = "督查督办"

    def ready(self) -> None:
        from dudao.audit.actions import register
        from dudao.supervision import receivers  # noqa: F401 - registers the signal receivers
        from dudao.supervision.instructions import register_targets

        for code, label in ACTIONS.items():
            register(code, label)
        register_targets()
