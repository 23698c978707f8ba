"""Clicks and keystrokes for the reporter's daily job of issue 14: fill and submit 40 projects
in the monthly grid — before (main before this change: after Enter saved a row the keyboard
focus dropped to the page body, so every row began with a click into its first field) and
after (Enter saves and the next row's first field has the keyboard), the after measured in
Chromium.

1. a fresh data dir with the demo city (as bench.suite_clicks);
2. `--setup` (inside Django): the amount each project of demo_reporter's grid gets — on its
   plan's schedule, never a jump the rules refuse;
3. `dudao serve`, then Playwright drives Debian's Chromium at 1366×768: log in, open 月报填报
   through the side menu, click the first row's 本月完成投资, then for 40 rows type the amount
   and press Enter, then 报送本月全部已保存月报 (and confirm). Every click and keystroke is
   counted; the result is checked (40 rows saved, reports submitted).

    .venv/bin/python -m bench.suite_clicks_grid

Appends its section to bench/results/clicks.md (replacing its own earlier section only).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
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

ROWS = 40
REPORTER = "demo_reporter"
RESULT = REPO / "bench" / "results" / "clicks.md"
HEADING = "# 填报员在月报表格中填报并报送 40 个项目：点击与按键"


def _setup() -> dict[str, Any]:
    """The amount to type for every project of the reporter's grid (project id → text)."""
    import django

    django.setup()
    from dudao.accounts.models import User
    from dudao.projects import selectors
    from dudao.projects.models import ProjectYearPlan

    reporter = User.objects.get(username=REPORTER)
    year, month = selectors.reporting_period()
    amounts: dict[int, str] = {}
    plans = {
        p.project_id: p.planned_investment
        for p in ProjectYearPlan.objects.filter(year=year, planned_investment__gt=0)
    }
    for project in selectors.visible_projects(reporter).filter(is_active=True):
        plan = plans.get(project.pk)
        if plan is None:
            continue
        step = (plan / Decimal(12)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        amounts[project.pk] = str(max(Decimal("1"), step))
    return {"amounts": amounts, "period": f"{year}-{month:02d}"}


@dataclass
class Count:
    clicks: int = 0
    keys: int = 0
    rows: int = 0
    seconds: float = 0.0


def _after(port: int, setup: dict[str, Any]) -> tuple[Count, str]:
    from playwright.sync_api import sync_playwright

    from dudao.demo.registry import DEMO_PASSWORD

    base = f"http://127.0.0.1:{port}"
    amounts: dict[str, str] = setup["amounts"]
    count = Count()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--headless", "--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page.set_default_timeout(20_000)
        page.goto(f"{base}/login/")
        page.get_by_label("用户名").fill(REPORTER)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        started = time.perf_counter()
        nav = page.get_by_role("navigation", name="主导航")
        if not nav.get_by_role("link", name="月报填报", exact=True).is_visible():
            count.clicks += 1
            nav.locator("summary", has_text="项目").first.click()
        count.clicks += 1
        with page.expect_navigation():
            nav.get_by_role("link", name="月报填报", exact=True).click()
        first = page.locator("#grid tbody input[name=invest_month]:not([disabled])").first
        count.clicks += 1
        first.click()
        if first.input_value():  # a saved draft: select its figure to type over it
            page.keyboard.press("Control+A")
            count.keys += 1
        while count.rows < ROWS:
            row_id = page.evaluate("() => document.activeElement.closest('tr').id")
            text = amounts.get(row_id.removeprefix("row-"), "1")
            page.keyboard.type(text)
            page.keyboard.press("Enter")
            count.keys += len(text) + 1
            page.locator(f"#{row_id} .row-msg").wait_for()
            if not page.locator(f"#{row_id}.row-saved").count():
                message = page.locator(f"#{row_id} .row-msg").inner_text()
                raise RuntimeError(f"{row_id} 未保存：{message}")
            count.rows += 1
        page.once("dialog", lambda dialog: dialog.accept())
        count.clicks += 2  # the button and the confirmation
        with page.expect_navigation():
            page.get_by_role("button", name="报送本月全部已保存月报").click()
        count.seconds = time.perf_counter() - started
        message = page.locator(".messages").inner_text()
        browser.close()
    return count, message


def _write(setup: dict[str, Any], after: Count, message: str, ok: bool) -> None:
    # Before: the same job on main's grid, counted by its behaviour — after Enter saved a row
    # the focus was on the page body, so each of the 40 rows began with a click in its field.
    menu = after.clicks - 1 - 2  # the menu clicks, the same before and after
    before_clicks = menu + ROWS + 2
    section = [
        HEADING,
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M', time.localtime())} by "
        "`.venv/bin/python -m bench.suite_clicks_grid` (Chromium 1366×768, `dudao serve`, "
        f"demo city, demo_reporter, reporting period {setup['period']}).",
        "",
        "| | Clicks | Keystrokes | Wall time |",
        "|---|---:|---:|---:|",
        f"| Before (focus lost after each save; counted) | {before_clicks} | {after.keys} | — |",
        f"| After (Enter saves and moves to the next row; measured) | {after.clicks} | "
        f"{after.keys} | {after.seconds:.1f} s |",
        "",
        f"Keystrokes: the amounts typed and one Enter per row ({ROWS} rows). Clicks: "
        f"{menu} to open 月报填报 from the side menu, one into the first row, 报送本月全部已保存"
        "月报 and its confirmation; before, one more click per row.",
        "",
        f"Result shown to the reporter: {message.strip()}",
        "",
        f"Status: {'PASS' if ok else 'FAIL'}",
        "",
    ]
    old = RESULT.read_text(encoding="utf-8") if RESULT.exists() else ""
    kept = old.split(HEADING)[0].rstrip("\n")
    RESULT.write_text((kept + "\n\n" if kept else "") + "\n".join(section), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        print(json.dumps(_setup()))
        return 0
    tmp = make_temp_dir("dudao-bench-clicks-grid-")
    try:
        log("clicks_grid: preparing a city-scale data dir")
        prepare_data_dir(tmp / "var")
        env = base_env(tmp / "var", DJANGO_SETTINGS_MODULE="dudao.settings")
        out = run_checked(
            [sys.executable, "-m", "bench.suite_clicks_grid", "--setup"],
            cwd=REPO,
            env=env,
            timeout=600,
        ).stdout
        setup = json.loads(out.strip().splitlines()[-1])
        port = free_port()
        serve_env = base_env(tmp / "var", DUDAO_PORT=str(port), DUDAO_SECURE_COOKIES="0")
        group = ProcessGroup(
            "serve", [DUDAO, "serve"], cwd=REPO, env=serve_env, log_path=tmp / "s.log"
        )
        try:
            if wait_for_200(port, "/login/", timeout=120, still_running=group.alive) is None:
                raise RuntimeError(f"dudao serve did not answer:\n{group.tail(30)}")
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
            after, message = _after(port, setup)
        finally:
            group.stop(timeout=30.0)
        ok = after.rows == ROWS and "已报送" in message
        _write(setup, after, message, ok)
        log(f"clicks_grid: after {after.clicks} clicks, {after.keys} keys; {message.strip()}")
        return 0 if ok else 1
    finally:
        cleanup_all()
        remove_temp_dir(tmp)


if __name__ == "__main__":
    sys.exit(main())
