from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dudao.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from dudao.core.sqlite import connect_signals

        connect_signals()
