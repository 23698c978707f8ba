from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dudao.workdays.selectors import year_coverage
from dudao.workdays.services import MAX_YEAR, MIN_YEAR


class Command(BaseCommand):
    help = (
        "检查某年的节假日安排是否已知（chinese-calendar 数据或管理员录入的调整），"
        "以便在国务院办公厅发布次年节假日安排通知后及时录入。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("year", type=int, help="年份，如 2027")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="该年尚未确定时以状态 1 退出（供定时任务告警）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise CommandError(f"年份应在 {MIN_YEAR}–{MAX_YEAR} 之间。")
        c = year_coverage(year)
        out = self.stdout.write
        out(f"{year}年节假日安排：")
        out(f"  chinese-calendar 数据：{'已包含' if c.known_to_package else '不包含'}")
        out(
            f"  管理员录入的调整：{c.overrides} 天"
            f"（放假 {c.holidays} 天，调休上班 {c.workdays} 天）"
        )
        if c.published:
            out(f"  年度状态：已发布并录入（依据：{c.source or '未填写'}）")
        else:
            out("  年度状态：未标记为已发布")
        if c.note:
            out(f"  备注：{c.note}")
        if c.known_to_package:
            out(
                self.style.SUCCESS(
                    f"结论：{year}年的工作日按 chinese-calendar 数据计算，无需录入。"
                )
            )
        elif c.published:
            out(self.style.SUCCESS(f"结论：{year}年的工作日按管理员录入的调整计算。"))
        else:
            out(
                self.style.WARNING(
                    f"结论：{year}年的节假日安排尚未录入，按周一至周五临时计算，期限标记为“暂定”。"
                    f"国务院办公厅发布{year}年部分节假日安排的通知后，请录入放假和调休上班日期"
                    f"并将{year}年标记为已发布（或升级 chinese-calendar）。"
                )
            )
            if options["strict"]:
                raise SystemExit(1)
