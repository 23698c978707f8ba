from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "dudao.ops"
    label = "ops"
    verbose_name = "运行维护"

    def ready(self) -> None:
        from dudao.audit.actions import register
        from dudao.ops import checks, tasks

        for code, label in (
            ("ops.backup", "创建备份"),
            ("ops.restore", "从备份恢复"),
            ("ops.backup_pruned", "按保留策略清理备份"),
        ):
            register(code, label)
        checks.register_platform_checks()
        tasks.connect_failure_log()
        tasks.connect_job_ledger()
