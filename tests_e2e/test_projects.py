"""The monthly cycle in a real Chromium: a county reporter fills a row of the grid and submits
it, the county reviewer approves it from the due list, the city supervisor sees the county's
figures and the project's light change in the analysis."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from dudao.accounts.models import User
from dudao.core.numbers import format_amount
from dudao.demo.registry import DEMO_PASSWORD
from dudao.projects import selectors
from dudao.projects.models import MilestoneNode, MonthlyReport, Project, ProjectYearPlan
from tests_e2e import worlds
from tests_e2e.browser import ConsoleLog, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def demo_city() -> None:
    worlds.demo_city()


def _unreported_project(year: int, month: int) -> tuple[Project, Decimal]:
    """A 明湖区 project with this year's plan, started, and no report for the month yet; and
    an amount that puts it on schedule."""
    reporter = User.objects.get(username="demo_reporter")
    county = reporter.organisation.parent
    for project in Project.objects.filter(
        county=county, stage__in=["new", "continuing"], park__isnull=True
    ).order_by("pk"):
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
            return project, amount
    raise AssertionError("the demo has no unreported project in 明湖区")


def _as(browser: Browser, server: LiveServer, username: str) -> Page:
    page = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1600, "height": 900}
    ).new_page()
    login(page, server, username, DEMO_PASSWORD)
    return page


def test_report_review_and_analysis(
    page: Page, browser: Browser, live_server: LiveServer, console: ConsoleLog
) -> None:
    year, month = selectors.reporting_period()
    period = f"{year}-{month:02d}"
    project, amount = _unreported_project(year, month)
    supervisor = User.objects.get(username="demo_supervisor")
    before = next(
        r
        for r in selectors.city_analysis(supervisor, year, month).counties
        if r.key == project.county_id
    )
    assert selectors.lights_for([project], year, month)[project.pk].light == "grey"

    # 1. the reporter fills the row and submits it (HTMX swaps the row in place)
    login(page, live_server, "demo_reporter", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/projects/grid/?period={period}")
    row = page.locator(f"#row-{project.pk}")
    expect(row).to_contain_text("未填")
    row.get_by_label(f"{project.name} 本月完成投资").fill(str(amount))
    row.get_by_label(f"{project.name} 形象进度").fill("主体施工，完成三层结构")
    row.get_by_label(f"{project.name} 说明").fill("按计划集中支付进度款")
    row.get_by_label(f"{project.name} 形象进度").press("Enter")
    expect(page.locator(f"#row-{project.pk}")).to_contain_text("已保存")
    expect(page.locator(f"#row-{project.pk}")).to_contain_text("草稿")
    page.locator(f"#row-{project.pk}").get_by_role("button", name="报送").click()
    expect(page.locator(f"#row-{project.pk}")).to_contain_text("已报送")
    report = MonthlyReport.objects.get(project=project, year=year, month=month)
    assert report.invest_month == amount
    assert report.status == "submitted"
    console.assert_clean()

    # 2. the reviewer approves it from the queue of "本月待办" (tick it, approve the ticked)
    reviewer = _as(browser, live_server, "demo_reviewer")
    reviewer.goto(f"{live_server.url}/projects/due/?period={period}")
    line = reviewer.locator("#review-queue tr", has_text=project.name).filter(
        has_text=f"{year}年{month}月"
    )
    line.get_by_role("checkbox").check()
    with reviewer.expect_navigation():
        reviewer.get_by_role("button", name="审核通过所选月报").click()
    expect(reviewer.locator(".messages")).to_contain_text("已审核通过 1 份月报。")
    report.refresh_from_db()
    assert report.status == "approved"

    # 3. the supervisor sees the county's figures and the project's light change
    after = next(
        r
        for r in selectors.city_analysis(supervisor, year, month).counties
        if r.key == project.county_id
    )
    assert after.done == before.done + amount
    assert after.lights["grey"] == before.lights["grey"] - 1
    city = _as(browser, live_server, "demo_supervisor")
    city.goto(f"{live_server.url}/projects/analysis/?period={period}")
    county_row = city.locator(f'#county-analysis tr[data-county="{project.county_id}"]')
    expect(county_row.locator("td").nth(4)).to_have_text(format_amount(after.done))
    expect(county_row.locator(".lights-count span").nth(3)).to_have_text(str(after.lights["grey"]))
    city.goto(f"{live_server.url}/projects/{project.pk}/?period={period}")
    light = selectors.lights_for([project], year, month)[project.pk].light
    assert light != "grey"
    expect(city.locator("h1 .light")).to_have_text(light.label)
