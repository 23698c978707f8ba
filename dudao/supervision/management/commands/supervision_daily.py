"""Run the daily supervision job by hand: lights, escalation, digests (idempotent per day)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dudao.core.lights import Light
from dudao.problems import services as problem_services
from dudao.supervision import jobs


class Command(BaseCommand):
    help = (
        "重新计算督查任务和问题台账灯色、触发升级督办，"
        "并向责任人发送每日提醒（同一天重复运行不会重复发送）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="按指定日期计算（YYYY-MM-DD），默认今天")
        parser.add_argument("--lights-only", action="store_true", help="只计算灯色，不发提醒")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"日期格式无效：{options['date']}（应为 YYYY-MM-DD）") from None
        lights = jobs.recompute_lights(today)
        self.stdout.write(
            f"亮灯：{lights.tasks} 项任务，{lights.changed} 项灯色变化，"
            f"分布 {lights.by_light}，新增升级督办 {lights.escalations} 项。"
        )
        problem_lights = problem_services.recompute_lights(today)
        shown = "，".join(
            f"{Light(k).label} {v} 个" for k, v in sorted(problem_lights.by_light.items())
        )
        self.stdout.write(
            f"问题亮灯：{problem_lights.problems} 个未销号问题，"
            f"{problem_lights.changed} 个灯色变化{'（' + shown + '）' if shown else ''}。"
        )
        if options["lights_only"]:
            return
        digests = jobs.send_digests(today)
        self.stdout.write(
            f"提醒：发送 {digests.sent} 条，已发送过 {digests.skipped_existing} 条，"
            f"无事项 {digests.silent} 人，邮件 {digests.emailed} 封。"
        )
