"""`dudao opendata export --format oc4ids|csv|xlsx --out FILE`: the public data as published
(current releases of published projects only), the same as the /open/ downloads.

`dudao opendata review FILE`: run the official OC4IDS review tool (libcoveoc4ids, offline,
against the vendored 0.9.5 schema and codelists) on an OC4IDS package; exit 1 on any schema
error. The tool is a development dependency (requirements-dev.lock)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dudao.opendata import downloads, oc4ids, selectors

FORMATS = ("oc4ids", "csv", "xlsx")


class Command(BaseCommand):
    help = "导出公开数据（OC4IDS/CSV/XLSX），或用 OC4IDS 官方检查工具检查一个项目包。"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="导出已公开项目的当前版本")
        export.add_argument("--format", choices=FORMATS, default="oc4ids")
        export.add_argument("--out", required=True, help="输出文件路径")
        review = sub.add_parser("review", help="用 libcoveoc4ids 离线检查 OC4IDS 项目包")
        review.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self._export(options["format"], Path(options["out"]))
        else:
            self._review(Path(options["file"]))

    def _export(self, fmt: str, out: Path) -> None:
        started = time.perf_counter()
        releases = selectors.public_releases().order_by("project_id").iterator(chunk_size=500)
        try:
            if fmt == "xlsx":
                out.write_bytes(downloads.xlsx_bytes(releases))
            else:
                with out.open("w", encoding="utf-8", newline="") as fh:
                    if fmt == "csv":
                        chunks = downloads.csv_chunks(releases)
                    else:
                        uri = f"{settings.DUDAO_OPENDATA_BASE_URL}oc4ids/projects.json"
                        chunks = oc4ids.stream_package(uri, releases)
                    for chunk in chunks:
                        fh.write(chunk)
        except OSError as exc:
            raise CommandError(f"无法写入 {out}：{exc.strerror}") from exc
        count = selectors.public_releases().count()
        self.stdout.write(
            f"已导出 {count} 个公开项目到 {out}（{time.perf_counter() - started:.1f} 秒）。"
        )

    def _review(self, path: Path) -> None:
        from dudao.opendata.review import review_file

        try:
            report = review_file(path)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"无法读取 {path}：{exc}") from exc
        self.stdout.write(json.dumps(report.summary(), ensure_ascii=False, indent=2))
        if report.schema_errors:
            sys.exit(1)
