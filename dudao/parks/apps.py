from django.apps import AppConfig


class ParksConfig(AppConfig):
    name = "dudao.parks"
    label = "parks"
    verbose_name = "产业集聚区"
