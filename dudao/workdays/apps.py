from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "dudao.workdays"
    label = "workdays"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from dudao.audit.actions import register

        register("calendar.set_override", "设置节假日调整")
        register("calendar.delete_override", "删除节假日调整")
        register("calendar.set_year_status", "设置年度节假日发布状态")
