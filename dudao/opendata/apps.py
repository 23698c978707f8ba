from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "dudao.opendata"
    label = "opendata"
    verbose_name = "信息公开"
