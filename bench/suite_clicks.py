"""Clicks and page loads for a daily job of issue 14: the county reviewer approves 50 monthly
reports — before (the queue of main before the bulk approval: one 审核通过 button per row, each
a POST that reloads the queue) and after (tick all, one button), the after measured in Chromium.

1. a fresh data dir with the demo city (migrate, demo --scale city, collectstatic);
2. `--setup` (inside Django): exactly 50 reports awaiting review in demo_reviewer's scope — the
   county reporter submits drafts of the reporting month (and saves some) through the services,
   or the reviewer approves the surplus;
3. `dudao serve`, then Playwright drives Debian's Chromium at 1366×768: log in, open 本月待办
   through the side menu, tick 全选, click 审核通过所选月报; every click and every page load is
   counted, and the result is checked (50 approved, the queue empty).

    .venv/bin/python -m bench.suite_clicks

Writes bench/results/clicks.md; exits 1 when the bulk path does not approve the 50 reports.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from typing import Any

from bench.common import DUDAO, REPO, base_env
from bench.httpclient import wait_for_200
from bench.procs import (
    ProcessGroup,
    cleanup_all,
    free_port,
    log,
    make_temp_dir,
    remove_temp_dir,
    run_checked,
)
from bench.serve import prepare_data_dir

REPORTS = 50
REVIEWER = "demo_reviewer"
RESULT = REPO / "bench" / "results" / "clicks.md"


# --- setup (inside Django) ---------------------------------------------------------------------


def _setup() -> dict[str, Any]:
    """Bring demo_reviewer's queue to exactly REPORTS reports that can be approved."""
    import django

    django.setup()
    from decimal import Decimal

    from dudao.accounts.models import User
    from dudao.core.exceptions import DomainError
    from dudao.projects import selectors, services
    from dudao.projects.models import MonthlyReport

    reviewer = User.objects.get(username=REVIEWER)
    reporter = User.objects.get(username="demo_reporter")

    def open_queue() -> list[Any]:
        return [row.report for row in selectors.review_queue(reviewer) if not row.locked]

    year, month = selectors.reporting_period()
    queue = open_queue()
    if len(queue) < REPORTS:
        drafts = MonthlyReport.objects.visible_to(reporter).filter(
            year=year, month=month, status__in=["draft", "returned"]
        )
        for report in drafts.order_by("pk"):
            if len(open_queue()) >= REPORTS:
                break
            try:
                services.submit_report(actor=reporter, report=report)
            except DomainError:
                continue
        reported = MonthlyReport.objects.filter(year=year, month=month).values("project_id")
        for project in (
            selectors.visible_projects(reporter)
            .filter(is_active=True)
            .exclude(pk__in=reported)
            .order_by("pk")
        ):
            if len(open_queue()) >= REPORTS:
                break
            try:
                report = services.save_report(
                    actor=reporter,
                    project=project,
                    year=year,
                    month=month,
                    data=services.ReportInput(invest_month=Decimal("10")),
                )
                services.submit_report(actor=reporter, report=report)
            except DomainError:
                continue
    for report in open_queue()[REPORTS:]:
        services.approve_report(actor=reviewer, report=report)
    return {"waiting": len(open_queue()), "period": f"{year}-{month:02d}"}


# --- the browser run ---------------------------------------------------------------------------


@dataclass
class Count:
    clicks: int = 0
    loads: int = 0
    seconds: float = 0.0


def _after(port: int) -> tuple[Count, str]:
    """The bulk approval, driven as a person would, counting clicks and page loads."""
    from playwright.sync_api import Locator, sync_playwright

    from dudao.demo.registry import DEMO_PASSWORD

    base = f"http://127.0.0.1:{port}"
    count = Count()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--headless", "--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page.goto(f"{base}/login/")
        page.get_by_label("用户名").fill(REVIEWER)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        # Counting starts on the home page, logged in (the login is the same before and after).
        page.on("load", lambda _page: setattr(count, "loads", count.loads + 1))
        started = time.perf_counter()

        def click(target: Locator, *, navigates: bool = False) -> None:
            count.clicks += 1
            if navigates:
                with page.expect_navigation():
                    target.click()
            else:
                target.click()

        nav = page.get_by_role("navigation", name="主导航")
        click(nav.locator("summary", has_text="项目"))  # the 项目 group is closed on 首页
        click(nav.get_by_role("link", name="本月待办", exact=True), navigates=True)
        click(page.get_by_label("全选可审核的月报"))
        click(page.get_by_role("button", name="审核通过所选月报"), navigates=True)
        count.seconds = time.perf_counter() - started
        message = page.locator(".messages").inner_text()
        left = page.locator("#review-queue input[name=report]").count()
        browser.close()
    if left:
        message += f"（队列中仍有 {left} 份可审核）"
    return count, message


def _write(setup: dict[str, Any], after: Count, message: str, ok: bool) -> None:
    # Before: the queue of main before this change had one 审核通过 form per row; each click
    # POSTed and redirected back to the queue (two loads counted as one page load here: the
    # browser shows one page), plus the menu click that opened 本月待办 from the top bar.
    before_clicks = 1 + REPORTS
    before_loads = 1 + REPORTS
    lines = [
        "# 审核员审核通过 50 份月报：点击次数",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M', time.localtime())} by "
        "`.venv/bin/python -m bench.suite_clicks` (Chromium 1366×768, `dudao serve`, demo city; "
        f"{setup['waiting']} reports awaiting review in 明湖区, "
        f"reporting period {setup['period']}).",
        "",
        "| | Clicks | Page loads | Wall time |",
        "|---|---:|---:|---:|",
        f"| Before (one 审核通过 per row, counted from main's queue) | {before_clicks} | "
        f"{before_loads} | — |",
        f"| After (tick 全选, 审核通过所选月报; measured) | {after.clicks} | {after.loads} | "
        f"{after.seconds:.1f} s |",
        "",
        "Before: 1 click on 本月待办 in the top menu, then one click per report, each a POST "
        "that reloads the queue. After: open the 项目 group and 本月待办 in the side menu, tick "
        "全选, click 审核通过所选月报 — each report is still its own audited transition "
        "(one `project.report_approve` event each) and its reporter is notified.",
        "",
        f"Result shown to the reviewer: {message.strip()}",
        "",
        f"Status: {'PASS' if ok else 'FAIL'}",
        "",
    ]
    RESULT.write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        print(json.dumps(_setup()))
        return 0
    tmp = make_temp_dir("dudao-bench-clicks-")
    try:
        log("clicks: preparing a city-scale data dir")
        prepare_data_dir(tmp / "var")
        env = base_env(tmp / "var", DJANGO_SETTINGS_MODULE="dudao.settings")
        out = run_checked(
            [sys.executable, "-m", "bench.suite_clicks", "--setup"], cwd=REPO, env=env, timeout=600
        ).stdout
        setup = json.loads(out.strip().splitlines()[-1])
        if setup["waiting"] != REPORTS:
            raise RuntimeError(f"setup left {setup['waiting']} reports, not {REPORTS}")
        port = free_port()
        serve_env = base_env(tmp / "var", DUDAO_PORT=str(port), DUDAO_SECURE_COOKIES="0")
        group = ProcessGroup(
            "serve", [DUDAO, "serve"], cwd=REPO, env=serve_env, log_path=tmp / "s.log"
        )
        try:
            if wait_for_200(port, "/login/", timeout=120, still_running=group.alive) is None:
                raise RuntimeError(f"dudao serve did not answer:\n{group.tail(30)}")
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
            after, message = _after(port)
        finally:
            group.stop(timeout=30.0)
        ok = f"已审核通过 {REPORTS} 份月报。" in message and "仍有" not in message
        _write(setup, after, message, ok)
        log(f"clicks: after {after.clicks} clicks, {after.loads} loads; {message.strip()}")
        return 0 if ok else 1
    finally:
        cleanup_all()
        remove_temp_dir(tmp)


if __name__ == "__main__":
    sys.exit(main())
