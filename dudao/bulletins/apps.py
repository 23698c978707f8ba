from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    name = "dudao.bulletins"
    label = "bulletins"
    verbose_name = "督查通报"

    def ready(self) -> None:
        from dudao.audit.actions import register
        from dudao.bulletins import receivers  # noqa: F401 - registers the signal receivers
        from dudao.bulletins.checks import register_deploy_checks
        from dudao.bulletins.instructions import register as register_instruction_target

        register_deploy_checks()

        for code, label in (
            ("bulletin.draft", "生成通报草稿"),
            ("bulletin.edit", "修改通报文字"),
            ("bulletin.override", "手工修改通报数据"),
            ("bulletin.submit", "通报送审"),
            ("bulletin.approve", "通报签发"),
            ("bulletin.return", "通报退回修改"),
        ):
            register(code, label)
        register_instruction_target()
