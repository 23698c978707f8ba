from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dudao.demo.registry import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_logins
from dudao.demo.services import (
    SCALES,
    DemoRefused,
    database_is_empty,
    existing_demo_users,
    load_demo,
)


class Command(BaseCommand):
    help = "加载虚构的“示范市”演示数据（演示数据，确定性生成）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--scale",
            choices=SCALES,
            default="city",
            help="city：示范市；province：全省基准测试规模",
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--reset", action="store_true", help="先清空数据库（包括审计日志）")
        parser.add_argument(
            "--if-empty", action="store_true", help="数据库非空时什么也不做（make run 使用）"
        )

    def handle(self, *args: Any, **o: Any) -> None:
        if o["if_empty"] and not o["reset"] and not database_is_empty():
            self.stdout.write("数据库已有数据，跳过演示数据加载。")
            self._print_logins(existing_demo_users())
            return
        started = time.perf_counter()
        try:
            ctx = load_demo(
                scale=o["scale"], seed=o["seed"], reset=o["reset"], log=self.stdout.write
            )
        except DemoRefused as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.perf_counter() - started
        summary = "，".join(f"{k} {v}" for k, v in ctx.counts.items())
        self.stdout.write(f"演示数据加载完成（{elapsed:.1f} 秒）：{summary}")
        self._print_logins(ctx.users)

    def _print_logins(self, users: dict[str, Any]) -> None:
        if not users:
            return
        self.stdout.write(f"演示账户（密码均为 {DEMO_PASSWORD}）：")
        for username, role, org in demo_logins(users):
            self.stdout.write(f"  {username:<18} {role:<6} {org}")
        self.stdout.write(
            "三个管理员账户登录须两步验证：在手机验证器应用中添加演示密钥 "
            f"{DEMO_TOTP_SECRET}（TOTP，6位，30秒；仅供演示，公开的密钥不得用于生产）。"
        )
