from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "dudao.stats"
    label = "stats"
    verbose_name = "统计指标"
