"""`dudao backup [--out DIR] [--prune]`: a consistent backup with its manifest."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.ops import services
from dudao.ops.backup import BackupError


class Command(BaseCommand):
    help = "备份数据库和上传文件（附清单：每张表的行数、每个文件的 SHA-256、版本与迁移状态）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out", type=Path, default=None, help="备份存放目录（默认 DUDAO_BACKUP_DIR）"
        )
        parser.add_argument(
            "--prune", action="store_true", help="完成后按保留策略清理旧备份（7 日、4 周、12 月）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run = services.make_backup(options["out"], actor_name=f"命令行（{getpass.getuser()}）")
        except (BackupError, OSError) as exc:
            raise CommandError(f"备份失败：{exc}") from exc
        self.stdout.write(
            f"备份完成：{run.path}\n"
            f"  {run.tables} 张表，{run.rows:,} 行，{run.files} 个文件，"
            f"{run.size_bytes / 1024 / 1024:,.1f} MB，用时 {run.seconds:.1f} 秒"
        )
        if options["prune"]:
            removed = services.prune_backups(options["out"])
            self.stdout.write(f"按保留策略删除旧备份 {len(removed)} 个")
