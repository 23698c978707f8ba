from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "dudao.evaluation"
    label = "evaluation"
    verbose_name = "省级考评"
