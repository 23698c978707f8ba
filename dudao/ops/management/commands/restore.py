"""`dudao restore DIR`: restore a verified backup into an empty installation."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.ops import backup, services


class Command(BaseCommand):
    help = "从备份目录恢复到空的数据库和数据目录（先逐个校验文件，恢复后核对每张表的行数）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="dudao backup 生成的备份目录")

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["source"]
        try:
            result = backup.restore(source)
        except (backup.BackupError, OSError) as exc:
            raise CommandError(f"恢复失败：{exc}") from exc
        services.record_restore(source, result, f"命令行（{getpass.getuser()}）")
        self.stdout.write(
            f"恢复完成：{result.tables} 张表，{result.rows:,} 行，{result.files} 个上传文件，"
            f"用时 {result.seconds:.1f} 秒"
        )
        if result.migrated:
            self.stdout.write(f"已执行本版本新增的迁移 {len(result.migrated)} 个")
        from dudao.audit import chain

        verdict = chain.verify()
        if verdict.ok:
            self.stdout.write(f"审计日志哈希链完整（{verdict.events} 条）")
        else:
            raise CommandError(
                f"数据已恢复，但审计日志哈希链校验失败：{verdict.problem}。"
                "请确认审计密钥（DUDAO_AUDIT_KEY 或备份中的 audit_key）与备份一致。"
            )
