from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "dudao.problems"
    label = "problems"
    verbose_name = "问题台账"

    def ready(self) -> None:
        from dudao.audit.actions import register

        register("problem.create", "登记问题")
