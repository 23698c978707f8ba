from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dudao.regions.services import load_region_snapshot


class Command(BaseCommand):
    help = "加载随软件发布的 GB/T 2260 行政区划（河南省）快照；可重复执行。"

    def handle(self, *args: Any, **options: Any) -> None:
        created, updated = load_region_snapshot()
        self.stdout.write(f"行政区划：新增 {created} 条，更新 {updated} 条。")
