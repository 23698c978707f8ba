"""The Excel round trip as a county fills it, in a real Chromium at 1366×768: download the
month's template, fill only the three projects with news (openpyxl, as Excel would), upload it,
read "已跳过 N 行" for the rows left untouched, and confirm the import without picking the file
again (the dry run kept it server-side)."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from dudao.demo.registry import DEMO_PASSWORD
from dudao.projects import importers, selectors
from dudao.projects.models import MilestoneNode, MonthlyReport, Project, ProjectYearPlan
from tests_e2e import worlds
from tests_e2e.browser import ConsoleLog, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def demo_city() -> None:
    worlds.demo_city()


def _fillable(ids: list[int], year: int, month: int, count: int) -> dict[int, Decimal]:
    """`count` projects of the template with no report this month, started, with a plan, and
    an amount that keeps them on schedule (so no surge or overrun check refuses them)."""
    chosen: dict[int, Decimal] = {}
    for project in Project.objects.filter(pk__in=ids, stage__in=["new", "continuing"]):
        plan = ProjectYearPlan.objects.filter(project=project, year=year).first()
        started = project.milestones.filter(
            node__role=MilestoneNode.Role.START, actual_date__isnull=False
        ).exists()
        if plan is None or plan.planned_investment <= 0 or plan.curve or not started:
            continue
        if MonthlyReport.objects.filter(project=project, year=year, month=month).exists():
            continue
        prior = sum((r.invest_month for r in project.reports.filter(year=year)), Decimal(0))
        need = plan.planned_investment * Decimal(month) / Decimal(12) - prior
        amount = max(Decimal("1"), need).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if prior + amount <= project.total_investment:
            chosen[project.pk] = amount
        if len(chosen) == count:
            return chosen
    raise AssertionError("the demo has fewer than three fillable projects for the reporter")


def test_fill_three_rows_skip_the_rest_confirm_without_picking_again(
    browser: Browser, live_server: LiveServer, console: ConsoleLog, tmp_path: Path
) -> None:
    year, month = selectors.reporting_period()
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1366, "height": 768},
        accept_downloads=True,
    )
    console.watch(context)
    page = context.new_page()
    login(page, live_server, "demo_reporter", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/projects/grid/?period={year}-{month:02d}")

    # 1. download the month's template from the grid page
    with page.expect_download() as download:
        page.get_by_role("link", name="下载本月模板").click()
    template = Path(download.value.path()).read_bytes()
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book[importers.REPORT_SHEET]
    headers = [c.value for c in sheet[1]]
    col = {h: headers.index(h) for h in headers}
    rows = list(sheet.iter_rows(min_row=2))
    ids = [int(r[col[importers.R_ID]].value) for r in rows]
    assert len(ids) > 3

    # 2. fill three rows, as a county does in Excel, and leave every other row untouched
    chosen = _fillable(ids, year, month, 3)
    for row in rows:
        pid = int(row[col[importers.R_ID]].value)
        if pid in chosen:
            row[col[importers.R_INVEST]].value = float(chosen[pid])
            row[col[importers.R_PROGRESS]].value = "主体施工"
            row[col[importers.R_NOTE]].value = "按计划支付进度款"
    filled = tmp_path / "月报.xlsx"
    book.save(filled)
    untouched = sum(
        1
        for row in rows
        if int(row[col[importers.R_ID]].value) not in chosen
        and row[col[importers.R_INVEST]].value is None
    )

    # 3. upload: the dry run says how many rows were skipped and why, writes nothing
    page.get_by_role("link", name="上传 Excel").click()
    page.get_by_label("Excel 文件").set_input_files(str(filled))
    page.get_by_role("button", name="试导入（只检查）").click()
    expect(page.locator("#import-summary")).to_contain_text("将新增 3 条")
    expect(page.locator("#import-skipped")).to_contain_text(f"已跳过 {untouched} 行")
    expect(page.locator("#import-skipped")).to_contain_text("未填写，已跳过")
    assert not MonthlyReport.objects.filter(project_id__in=chosen, year=year, month=month).exists()

    # 4. confirm without picking the file again: the button is visible at 1366×768
    confirm = page.get_by_role("button", name="确认导入")
    confirm.scroll_into_view_if_needed()
    expect(confirm).to_be_visible()
    assert page.locator("form.import-confirm input[type=file]").count() == 0
    with page.expect_navigation():
        confirm.click()
    expect(page.locator(".messages")).to_contain_text("已新增 3 条")
    saved = MonthlyReport.objects.filter(project_id__in=chosen, year=year, month=month)
    assert {r.project_id: r.invest_month for r in saved} == chosen
    assert all(r.status == "draft" for r in saved)
    console.assert_clean()
