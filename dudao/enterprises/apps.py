from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "dudao.enterprises"
    label = "enterprises"
    verbose_name = "企业服务与亩均效益"
