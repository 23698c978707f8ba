from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dudao.core"
    label = "core"
    verbose_name = "核心"
