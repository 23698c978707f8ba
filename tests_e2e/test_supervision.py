"""The supervision cycle in a real Chromium: the 督查室 issues a task and splits it for a
county, the county reports and applies for close-out with evidence, the 督查室 verifies, the
task shows closed, and the audit administrator finds every step in the audit log."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from dudao.demo.registry import DEMO_PASSWORD
from dudao.supervision.models import SupervisionTask
from tests_e2e import worlds
from tests_e2e.browser import ConsoleLog, login, pick_unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def demo_city() -> None:
    worlds.demo_city()


def audit_rows(page: Page, actor: str, action: str) -> Locator:
    return (
        page.locator("#audit-events tbody tr")
        .filter(has=page.locator("td:nth-child(2)", has_text=re.compile(f"^{actor}$")))
        .filter(has=page.locator("td:nth-child(4)", has_text=re.compile(f"^{action}$")))
    )


def issue_with_child(page: Page, server: LiveServer) -> tuple[SupervisionTask, SupervisionTask]:
    """The 督查室 issues a task to the city's 商务局 and splits it for 明湖区."""
    deadline = (timezone.localdate() + timedelta(days=40)).isoformat()
    login(page, server, "demo_supervisor", DEMO_PASSWORD)
    page.goto(f"{server.url}/supervision/tasks/new/")
    page.get_by_label("任务来源").select_option(
        label="全市重大项目和产业集聚区建设观摩督导总结会议（演示数据）"
    )
    page.get_by_label("任务名称").fill("编制主导产业招商图谱")
    page.get_by_label("工作任务").fill("围绕主导、新兴、特色三类产业制定产业图谱")
    page.get_by_label("工作目标").fill("发布产业图谱并形成目标企业清单")
    pick_unit(page, "牵头单位（责任主体）", "示范市商务局")
    page.get_by_label("完成时限（指定日期）").fill(deadline)
    page.get_by_role("button", name="保存并交办").click()
    expect(page.get_by_test_id("task-status")).to_have_text("已交办")
    parent = SupervisionTask.objects.get(title="编制主导产业招商图谱")

    # The child's deadline defaults to the parent's.
    page.get_by_role("link", name="分解给下级单位").click()
    page.get_by_label("任务名称").fill("明湖区：编制主导产业招商图谱")
    page.get_by_label("工作任务").fill("梳理本区主导产业链")
    page.get_by_label("工作目标").fill("形成本区目标企业清单（不少于20家）")
    pick_unit(page, "牵头单位（责任主体）", "明湖区人民政府")
    page.get_by_label("权重（分解任务时）").fill("2")
    page.get_by_role("button", name="保存并交办").click()
    expect(page.get_by_test_id("task-status")).to_have_text("已交办")
    child = SupervisionTask.objects.get(parent=parent)
    assert child.code == f"{parent.code}-01"
    return parent, child


def county_reports_and_applies(
    page: Page, server: LiveServer, child: SupervisionTask, evidence: Path
) -> None:
    """The county finds the task in its list, reports progress, applies for close-out."""
    login(page, server, "demo_reviewer", DEMO_PASSWORD)
    page.goto(f"{server.url}/supervision/")
    page.get_by_role("link", name=child.code).click()
    feedback = page.locator("form", has=page.get_by_role("button", name="提交进展"))
    feedback.get_by_label("目前进度（%）").fill("60")
    feedback.get_by_label("进展情况").fill("已完成产业链梳理，正在筛选目标企业")
    feedback.get_by_label("佐证材料").set_input_files(evidence)
    feedback.get_by_role("button", name="提交进展").click()
    expect(page.locator(".messages")).to_contain_text("进展已填报。")
    expect(page.locator(".sv-timeline")).to_contain_text(evidence.name)

    closeout = page.locator("form", has=page.get_by_role("button", name="申请销号"))
    closeout.get_by_label("完成情况").fill("目标企业清单已形成，共25家")
    closeout.get_by_role("button", name="申请销号").click()
    expect(page.locator(".messages")).to_contain_text("申请销号必须上传至少一份佐证材料。")
    closeout = page.locator("form", has=page.get_by_role("button", name="申请销号"))
    closeout.get_by_label("完成情况").fill("目标企业清单已形成，共25家")
    closeout.get_by_label("佐证材料（必传）").set_input_files(evidence)
    closeout.get_by_role("button", name="申请销号").click()
    expect(page.get_by_test_id("task-status")).to_have_text("申请销号")


def test_issue_split_report_apply_verify_and_audit(
    page: Page,
    context: BrowserContext,
    live_server: LiveServer,
    console: ConsoleLog,
    *,
    artifacts: Path,
    tmp_path: Path,
) -> None:
    parent, child = issue_with_child(page, live_server)
    context.clear_cookies()
    evidence = tmp_path / "产业链梳理.pdf"
    evidence.write_bytes(PDF)
    county_reports_and_applies(page, live_server, child, evidence)
    context.clear_cookies()

    # The 督查室 verifies: the task is closed, on time, and the parent's roll-up is 100%.
    login(page, live_server, "demo_supervisor", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/supervision/tasks/{child.pk}/")
    page.get_by_label("核查结论").select_option(label="核查通过，予以销号")
    page.get_by_label("核查意见/退回原因").fill("清单完整，予以销号")
    page.get_by_role("button", name="提交核查结论").click()
    expect(page.get_by_test_id("task-status")).to_have_text("已销号")
    expect(page.locator(".facts")).to_contain_text("按期")
    page.goto(f"{live_server.url}/supervision/tasks/{parent.pk}/")
    expect(page.locator(".facts")).to_contain_text("100.0%")
    page.screenshot(path=artifacts / "supervision-parent.png", full_page=True)
    context.clear_cookies()

    # The audit log shows each step with who did it.
    login(page, live_server, "demo_auditadmin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/audit/")
    expect(audit_rows(page, "demo_supervisor", "创建督查任务")).to_have_count(2)
    expect(audit_rows(page, "demo_supervisor", "交办督查任务")).to_have_count(2)
    expect(audit_rows(page, "demo_reviewer", "填报任务进展")).to_have_count(1)
    expect(audit_rows(page, "demo_reviewer", "申请销号")).to_have_count(1)
    expect(audit_rows(page, "demo_supervisor", "核查通过并销号")).to_have_count(1)
    page.screenshot(path=artifacts / "supervision-audit.png", full_page=True)
    console.assert_clean()


def test_overview_and_my_tasks_render_without_console_errors(
    page: Page, live_server: LiveServer, console: ConsoleLog, artifacts: Path
) -> None:
    login(page, live_server, "demo_supervisor", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/supervision/overview/")
    expect(page.get_by_role("heading", level=1)).to_have_text("督查总览")
    expect(page.locator("#sv-bar svg")).to_have_count(1)
    page.screenshot(path=artifacts / "supervision-overview.png", full_page=True)
    page.goto(f"{live_server.url}/supervision/tasks/?group=unit")
    expect(page.locator(".sv-group").first).to_be_visible()
    console.assert_clean()
