from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dudao.accounts"
    label = "accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from dudao.accounts import signals
        from dudao.core.tasks import sessions_purged

        sessions_purged.connect(
            signals.drop_orphan_login_sessions, dispatch_uid="accounts-sessions"
        )
