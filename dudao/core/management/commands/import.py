"""`dudao import KIND FILE --as USERNAME [--dry-run]`: the same validation as the web upload."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.core.imports import ImportRejected, discover


class Command(BaseCommand):
    help = "导入数据文件（与网页上传相同的校验；全部成功才写入）。"

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = ", ".join(sorted(discover()))
        parser.add_argument("kind", help=f"导入类型：{kinds}")
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as", dest="username", required=True, help="以哪个用户的身份导入（写入审计日志）"
        )
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")
        parser.add_argument(
            "--confirm-reason",
            default="",
            help="确认原因：导入提示量级检查（如“疑似以亿元填报”）而数据核实无误时填写，记入审计日志"
            "（仅支持该检查的导入类型）",
        )
        parser.add_argument(
            "--tour",
            type=int,
            default=None,
            help="观摩活动编号（仅 inspections.plan 导入观摩路线）",
        )

    def _extra(self, registered: Any, kind: str, options: dict[str, Any]) -> dict[str, Any]:
        """The options an import type takes besides the file (refused for the others)."""
        params = inspect.signature(registered.func).parameters
        extra: dict[str, Any] = {}
        if options["confirm_reason"]:
            if "confirm_reason" not in params:
                raise CommandError(f"导入类型「{kind}」没有量级检查，不需要 --confirm-reason。")
            extra["confirm_reason"] = options["confirm_reason"]
        if options["tour"] is not None:
            if "tour" not in params:
                raise CommandError(f"导入类型「{kind}」不需要 --tour。")
            extra["tour"] = options["tour"]
        return extra

    def handle(self, *args: Any, **options: Any) -> None:
        registry = discover()
        kind = options["kind"]
        if kind not in registry:
            raise CommandError(f"未知的导入类型「{kind}」，可选：{', '.join(sorted(registry))}")
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from exc
        actor = (
            get_user_model()
            ._default_manager.filter(username__iexact=options["username"], is_active=True)
            .first()
        )
        if actor is None:
            raise CommandError(f"用户「{options['username']}」不存在或已停用。")
        extra = self._extra(registry[kind], kind, options)
        try:
            report = registry[kind].func(
                data, filename=path.name, actor=actor, dry_run=options["dry_run"], **extra
            )
        except ImportRejected as exc:
            if options["json"]:
                body = {"ok": False, "errors": [e.as_dict() for e in exc.errors]}
                self.stdout.write(json.dumps(body, ensure_ascii=False))
            else:
                for error in exc.errors:
                    self.stderr.write(str(error))
            raise CommandError(
                f"导入未执行：发现 {len(exc.errors)} 处错误，未写入任何数据。"
            ) from exc
        if options["json"]:
            self.stdout.write(json.dumps({"ok": True, **report.as_dict()}, ensure_ascii=False))
        else:
            for warning in report.warnings:
                self.stdout.write(f"提示：{warning}")
            self.stdout.write(report.summary())
