"""`dudao audit verify` checks the hash chain and its anchors; `dudao audit anchor` appends one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.audit import chain


class Command(BaseCommand):
    help = "审计日志完整性：verify 校验哈希链与锚点，anchor 立即记录当前链头"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "anchor"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "anchor":
            anchor = chain.write_anchor()
            if anchor is None:
                self.stdout.write("链头未变化，未追加锚点。")
            else:
                self.stdout.write(f"已记录锚点：第 {anchor.seq} 条 {anchor.mac}")
            return
        result = chain.verify()
        if not result.ok:
            raise CommandError(f"审计日志校验失败：{result.problem}")
        self.stdout.write(
            f"审计日志完整：{result.events} 条记录，链头第 {result.head_seq} 条，"
            f"{result.anchors} 个锚点全部相符。"
        )
