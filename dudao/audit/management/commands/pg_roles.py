"""`dudao pg_roles`: the PostgreSQL owner and app roles (print the SQL, or --apply the grants)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from dudao.audit import pgroles


class Command(BaseCommand):
    help = "PostgreSQL 角色：打印建角色与授权 SQL；--apply 以属主身份执行授权（每次 migrate 之后）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--owner", default="dudao_owner", help="属主角色（执行迁移）")
        parser.add_argument("--app", default="dudao_app", help="应用角色（服务器与任务进程）")
        parser.add_argument("--apply", action="store_true", help="在当前连接上执行授权语句")

    def handle(self, *args: Any, **options: Any) -> None:
        owner, app = options["owner"], options["app"]
        grants = pgroles.grants_sql(owner, app)
        if not options["apply"]:
            database = connection.settings_dict.get("NAME") or "dudao"
            self.stdout.write("-- 1. 以超级用户执行（之后用 \\password 为两个角色设置密码）：")
            for statement in pgroles.create_roles_sql(owner, app, str(database)):
                self.stdout.write(f"{statement};")
            self.stdout.write(f"-- 2. 以 {owner} 执行 dudao migrate，然后执行（或 --apply）：")
            for statement in grants:
                self.stdout.write(f"{statement};")
            return
        if connection.vendor != "postgresql":
            raise CommandError("--apply 仅适用于 PostgreSQL")
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in grants:
                cursor.execute(statement)
        self.stdout.write(f"已授权：{app} 对审计表仅有 SELECT、INSERT。")
