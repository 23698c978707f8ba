from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "dudao.stats"
    label = "stats"
    verbose_name = "统计指标"

    def ready(self) -> None:
        from dudao.audit.actions import register

        for code, label in (
            ("stats.value.create", "填报指标数值"),
            ("stats.value.update", "修改指标数值"),
            ("stats.value.submit", "报送指标数值"),
            ("stats.value.approve", "审核通过指标数值"),
            ("stats.value.return", "退回指标数值"),
            ("stats.value.import", "导入指标数值"),
            ("stats.settings.update", "修改统计设置"),
            ("stats.indicator.create", "新增指标"),
            ("stats.indicator.update", "修改指标"),
        ):
            register(code, label)
