from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dudao.accounts"
    label = "accounts"
    verbose_name = "用户与权限"
