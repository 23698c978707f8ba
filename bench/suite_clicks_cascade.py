"""Clicks and characters for the supervisor's daily job of issue 14: split a city task among the
10 counties — before (ten single-task split forms, retyping what main's form did not carry
over) and after (one 分解给多个单位 form), both driven in Chromium and counted.

1. a fresh data dir with the demo city (migrate, demo --scale city, collectstatic);
2. `--setup` (inside Django): two identical issued city tasks of demo_supervisor (urgent, a
   category, two milestones) — one for each path;
3. `dudao serve`, then Playwright drives Debian's Chromium at 1366×768, logged in as
   demo_supervisor, starting on the task's page:
   * before — ten times: 分解给下级单位, type 工作任务, 工作目标, 节点计划 again, choose 任务类别
     and 紧急程度 again (main's split form carried only the name, deadline and cycle: urgency
     reset to 非急件), tick the county, 保存并交办, back to the parent task;
   * after — 分解给多个单位, tick the ten counties in the unit tree, 全部交办.
   Every click and every character typed is counted (a <select> counts two clicks: open,
   choose); the result is checked (ten issued children with the parent's urgency).

    .venv/bin/python -m bench.suite_clicks_cascade

Writes its section of bench/results/clicks.md (between the cascade markers, the other sections
kept); exits 1 when either path does not issue ten children.
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

SUPERVISOR = "demo_supervisor"
RESULT = REPO / "bench" / "results" / "clicks.md"
BEGIN = "<!-- cascade: bench/suite_clicks_cascade.py -->"
END = "<!-- /cascade -->"


# --- setup (inside Django) ---------------------------------------------------------------------


def _setup() -> dict[str, Any]:
    """Two identical issued city tasks to split, and the ten counties' names."""
    import django

    django.setup()
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from dudao.accounts.models import User
    from dudao.demo.platform import COUNTIES
    from dudao.orgs.models import Organisation
    from dudao.supervision import services
    from dudao.supervision.models import TaskCategory, TaskSource

    supervisor = User.objects.get(username=SUPERVISOR)
    source = TaskSource.objects.filter(issuing_org=supervisor.organisation).first()
    category = TaskCategory.objects.filter(is_active=True).order_by("pk").first()
    if source is None or category is None:
        raise RuntimeError("the demo city has no supervision source or task category")
    today = timezone.localdate()
    fields: dict[str, Any] = {
        "title": "推进标准化厂房建设",
        "content": "新建标准化厂房，完善水电路气等配套设施，引进中小企业入驻",
        "goal": "年底前新增标准化厂房20万平方米，入驻企业不少于30家",
        "lead_org": Organisation.objects.get(code="SFS-FGW"),
        "category": category,
        "urgency": "urgent",
        "deadline": today + timedelta(days=90),
        "milestones": [
            (today + timedelta(days=30), "完成选址和规划", Decimal("20")),
            (today + timedelta(days=60), "主体完工", Decimal("70")),
        ],
    }
    parents = [
        services.create_task(actor=supervisor, source=source, issue=True, **fields)
        for _ in range(2)
    ]
    counties = [Organisation.objects.get(code=f"SFS-{code}").name for code, _name in COUNTIES]
    return {
        "before": parents[0].pk,
        "after": parents[1].pk,
        "counties": counties,
        "category": category.name,
        "content": fields["content"],
        "goal": fields["goal"],
        "milestones": "\n".join(
            f"{d:%Y-%m-%d}｜{text}｜{p}" for d, text, p in fields["milestones"]
        ),
    }


def _children(pk: int) -> dict[str, Any]:
    import django

    django.setup()
    from dudao.supervision.models import SupervisionTask

    children = SupervisionTask.objects.filter(parent_id=pk)
    return {
        "issued": children.filter(status="assigned").count(),
        "urgent": children.filter(urgency="urgent").count(),
    }


# --- the browser runs --------------------------------------------------------------------------


@dataclass
class Count:
    clicks: int = 0
    chars: int = 0
    loads: int = 0
    seconds: float = 0.0


def _drive(port: int, setup: dict[str, Any]) -> tuple[Count, Count, str]:
    """Log in once; each path on its own page (its own load counter), from the task's page."""
    from playwright.sync_api import sync_playwright

    from dudao.demo.registry import DEMO_PASSWORD

    base = f"http://127.0.0.1:{port}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--headless", "--no-sandbox"]
        )
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        context.set_default_timeout(30_000)
        page = context.new_page()
        page.goto(f"{base}/login/")
        page.get_by_label("用户名").fill(SUPERVISOR)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        page.close()
        before = _before(context.new_page(), base, setup)
        after, message = _after(context.new_page(), base, setup)
        browser.close()
    return before, after, message


def _counter(page: Any, count: Count) -> tuple[Any, Any, Any]:
    """click / type / choose helpers that count; loads counted after the starting page."""
    page.on("load", lambda _p: setattr(count, "loads", count.loads + 1))

    def click(target: Any, *, navigates: bool = False) -> None:
        count.clicks += 1
        if navigates:
            with page.expect_navigation():
                target.click()
        else:
            target.click()

    def type_into(target: Any, text: str) -> None:
        count.clicks += 1  # into the field
        count.chars += len(text)
        target.fill(text)

    def choose(target: Any, label: str) -> None:
        count.clicks += 2  # open the list, pick the entry
        target.select_option(label=label)

    return click, type_into, choose


def _before(page: Any, base: str, setup: dict[str, Any]) -> Count:
    count = Count()
    parent = f"/supervision/tasks/{setup['before']}/"
    page.goto(base + parent)
    click, type_into, choose = _counter(page, count)
    started = time.perf_counter()
    for county in setup["counties"]:
        click(page.get_by_role("link", name="分解给下级单位"), navigates=True)
        type_into(page.get_by_label("工作任务", exact=True), setup["content"])
        type_into(page.get_by_label("工作目标", exact=True), setup["goal"])
        choose(page.locator("#id_category"), setup["category"])
        choose(page.locator("#id_urgency"), "急件")
        type_into(page.get_by_label("节点计划", exact=True), setup["milestones"])
        click(page.locator("[data-unit-picker]").first.get_by_label(county, exact=True))
        click(page.get_by_role("button", name="保存并交办"), navigates=True)
        click(page.locator(f'a[href="{parent}"]').first, navigates=True)
    count.seconds = time.perf_counter() - started
    return count


def _after(page: Any, base: str, setup: dict[str, Any]) -> tuple[Count, str]:
    count = Count()
    page.goto(f"{base}/supervision/tasks/{setup['after']}/")
    click, _type_into, _choose = _counter(page, count)
    started = time.perf_counter()
    click(page.get_by_role("link", name="分解给多个单位"), navigates=True)
    picker = page.locator("[data-unit-picker]")
    for county in setup["counties"]:
        click(picker.get_by_label(county, exact=True))
    click(page.get_by_role("button", name="全部交办"), navigates=True)
    count.seconds = time.perf_counter() - started
    return count, page.locator(".messages").inner_text()


# --- the result ----------------------------------------------------------------------------------


def _write(before: Count, after: Count, message: str, checks: dict[str, Any], ok: bool) -> None:
    n = len(checks["counties"])
    section = [
        BEGIN,
        "",
        f"# 督查员把一项市级任务分解给 {n} 个县（市、区）：点击次数与输入字数",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M', time.localtime())} by "
        "`.venv/bin/python -m bench.suite_clicks_cascade` (Chromium 1366×768, `dudao serve`, "
        "demo city, logged in as demo_supervisor, starting on the city task's page).",
        "",
        "| | Clicks | Characters typed | Page loads | Wall time |",
        "|---|---:|---:|---:|---:|",
        f"| Before (ten single-task split forms; measured) | {before.clicks} | {before.chars} | "
        f"{before.loads} | {before.seconds:.1f} s |",
        f"| After (one 分解给多个单位 form; measured) | {after.clicks} | {after.chars} | "
        f"{after.loads} | {after.seconds:.1f} s |",
        "",
        "Before, per county: 分解给下级单位; type 工作任务, 工作目标 and 节点计划 again and "
        "choose 任务类别 and 紧急程度 again (main's split form carried over only the name, the "
        "deadline and the feedback cycle — the urgency silently fell back to 非急件); tick the "
        "county; 保存并交办; back to the city task. A field counts one click, a drop-down two "
        "(open, choose). Main's lead-unit drop-down of 44 units would have cost two clicks "
        "per county instead of the one tick counted here. After: 分解给多个单位 (everything "
        "inherited from the city task, urgency included), tick the ten counties in the unit "
        "tree, 全部交办 — one transaction, each child created and issued by the task service "
        "and audited, each county notified.",
        "",
        f"Result: before {checks['before']['issued']} children issued "
        f"({checks['before']['urgent']} 急件); after {checks['after']['issued']} children issued "
        f"({checks['after']['urgent']} 急件). Shown to the supervisor: {message.strip()}",
        "",
        f"Status: {'PASS' if ok else 'FAIL'}",
        "",
        END,
    ]
    old = RESULT.read_text(encoding="utf-8") if RESULT.exists() else ""
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        text = head + "\n".join(section) + rest.split(END, 1)[1]
    else:
        text = old.rstrip("\n") + "\n\n" + "\n".join(section) + "\n"
    RESULT.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--check", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        print(json.dumps(_setup(), ensure_ascii=False))
        return 0
    if args.check:
        print(json.dumps({"before": _children(args.check[0]), "after": _children(args.check[1])}))
        return 0
    tmp = make_temp_dir("dudao-bench-cascade-")
    try:
        log("clicks (cascade): preparing a city-scale data dir")
        prepare_data_dir(tmp / "var")
        env = base_env(tmp / "var", DJANGO_SETTINGS_MODULE="dudao.settings")
        me = [sys.executable, "-m", "bench.suite_clicks_cascade"]
        out = run_checked([*me, "--setup"], cwd=REPO, env=env, timeout=600).stdout
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
            before, after, message = _drive(port, setup)
        finally:
            group.stop(timeout=30.0)
        check_argv = [*me, "--check", str(setup["before"]), str(setup["after"])]
        out = run_checked(check_argv, cwd=REPO, env=env, timeout=600).stdout
        checks = json.loads(out.strip().splitlines()[-1])
        checks["counties"] = setup["counties"]
        n = len(setup["counties"])
        ok = all(checks[k] == {"issued": n, "urgent": n} for k in ("before", "after"))
        _write(before, after, message, checks, ok)
        log(
            f"clicks (cascade): before {before.clicks} clicks {before.chars} chars, "
            f"after {after.clicks} clicks {after.chars} chars; {message.strip()}"
        )
        return 0 if ok else 1
    finally:
        cleanup_all()
        remove_temp_dir(tmp)


if __name__ == "__main__":
    sys.exit(main())
