from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "dudao.inspections"
    label = "inspections"
    verbose_name = "观摩督导"
