from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "dudao.audit"
    label = "audit"
    verbose_name = "审计"
