"""`dudao check-deploy`: is this installation ready for production? (exit 1 on an error)"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.management.base import BaseCommand, CommandError

from dudao.ops.checks import run_deploy_checks, text_of


def label_of(level: int) -> str:
    if level >= checks.ERROR:
        return "错误"
    return "警告" if level >= checks.WARNING else "提示"


class Command(BaseCommand):
    help = (
        "检查生产部署：配置、密钥强度、HTTPS、调试开关、允许的域名、数据库与迁移、Redis、字体、时区"
    )

    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        found = run_deploy_checks()
        for message in sorted(found, key=lambda m: -m.level):
            self.stdout.write(f"[{label_of(message.level)}] {text_of(message)}（{message.id}）")
        errors = sum(1 for m in found if m.level >= checks.ERROR)
        if errors:
            raise CommandError(f"部署检查未通过：{errors} 个错误")
        warnings = sum(1 for m in found if checks.WARNING <= m.level < checks.ERROR)
        self.stdout.write(f"部署检查通过（{warnings} 个警告）")
