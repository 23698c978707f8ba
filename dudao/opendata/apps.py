from django.apps import AppConfig

ACTIONS = {
    "opendata.publish": "公开重大项目信息",
    "opendata.withdraw": "撤回项目信息公开",
    "opendata.field_class": "调整公开字段分类",
    "opendata.photo_clear": "准许公开现场照片",
    "opendata.photo_unclear": "撤销公开现场照片",
}


class OpendataConfig(AppConfig):
    name = "dudao.opendata"
    label = "opendata"
    verbose_name = "信息公开"

    def ready(self) -> None:
        from dudao.audit.actions import register

        for code, label in ACTIONS.items():
            register(code, label)
