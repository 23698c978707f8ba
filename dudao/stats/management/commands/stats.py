"""`dudao stats summary --city CODE --period YYYY-MM [--as USER] [--json]`: the city's cluster
summary (the speech's paragraph) from approved values, as Chinese sentences or JSON."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from dudao.accounts.models import User
from dudao.core.exceptions import DomainError
from dudao.core.periods import parse_month
from dudao.stats import selectors


class Command(BaseCommand):
    help = "产业集聚区统计：summary 输出某市某月的集聚区综述。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        summary = sub.add_parser("summary", help="某市某月的集聚区综述")
        summary.add_argument("--city", required=True, help="市的单位编码或行政区划代码")
        summary.add_argument("--period", required=True, help="统计期 YYYY-MM")
        summary.add_argument(
            "--as", dest="username", default="", help="以该账户的数据范围读取（默认：不限范围）"
        )
        summary.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = parse_month(options["period"]).first_day
        except DomainError as exc:
            raise CommandError(exc.message) from None
        actor = self._actor(options["username"], options["city"])
        try:
            city = selectors.get_city(actor, options["city"])
            result = selectors.city_summary(actor, city, period)
        except Http404:
            raise CommandError(f"找不到市“{options['city']}”，或不在该账户的数据范围内。") from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{city.short_name or city.name}产业集聚区综述"
            f"（截至{period.year}年{period.month}月，共{result.parks_total}家园区）"
        )
        for sentence in result.sentences:
            self.stdout.write(sentence)
        notes = [f"{r.indicator.name}：{n}" for r in result.rows for n in r.line.notes]
        if notes or result.notes:
            self.stdout.write("说明：")
            for note in [*result.notes, *notes]:
                self.stdout.write(f"  · {note}")

    def _actor(self, username: str, city_code: str) -> Any:
        """The named account, or a read-only stand-in that sees the city's whole tree."""
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"账户“{username}”不存在或已停用。")
            return user
        return _CliReader()


class _CliReader:
    """Operator on the server's command line: reads every organisation (like the CLI import)."""

    is_authenticated = True
    is_active = True
    has_business_role = True

    @property
    def organisation(self) -> Any:
        return _Root()


class _Root:
    is_active = True
    scope_path = ""
    pk = None
