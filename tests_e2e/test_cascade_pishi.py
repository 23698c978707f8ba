"""Issue 14, items 6 and 9 in a real Chromium, at 1366×768 and on a 390×844 phone:

* the 督查室 splits a city task among three counties in one form — the units picked in the
  searchable unit tree, the content, goal, urgency and milestones inherited, one county with its
  own deadline and weight — and all three child tasks are issued at once;
* the mayor (领导) writes a 批示 on a major project from the project's page and sees it there
  with the task it became.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from dudao.accounts.models import User
from dudao.demo.registry import DEMO_PASSWORD
from dudao.orgs.models import Organisation
from dudao.projects.models import Project
from dudao.supervision import services
from dudao.supervision.models import SupervisionTask, TaskSource
from tests_e2e import worlds
from tests_e2e.browser import ConsoleLog, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": (1366, 768), "phone": (390, 844)}
COUNTIES = ["凤台县人民政府", "龙泉县人民政府", "安平县人民政府"]


@pytest.fixture(autouse=True)
def demo_city() -> None:
    worlds.demo_city()


def _city_task() -> SupervisionTask:
    """An issued city task (urgent, with a milestone) for the 督查室 to split."""
    supervisor = User.objects.get(username="demo_supervisor")
    source = TaskSource.objects.filter(issuing_org=supervisor.organisation).first()
    assert source is not None
    today = timezone.localdate()
    return services.create_task(
        actor=supervisor,
        source=source,
        title="推进标准化厂房建设",
        content="新建标准化厂房并完善配套设施",
        goal="年底前新增标准化厂房20万平方米",
        lead_org=Organisation.objects.get(code="SFS-FGW"),
        urgency=SupervisionTask.Urgency.URGENT,
        deadline=today + timedelta(days=90),
        milestones=[(today + timedelta(days=30), "完成选址和规划", Decimal("20"))],
        issue=True,
    )


def _cascade(page: Page, server: LiveServer, parent: SupervisionTask) -> None:
    login(page, server, "demo_supervisor", DEMO_PASSWORD)
    page.goto(f"{server.url}/supervision/tasks/{parent.pk}/")
    page.get_by_role("link", name="分解给多个单位").click()
    expect(page.get_by_role("heading", name="分解给多个单位")).to_be_visible()
    # Inherited from the parent: urgency (never reset), content and goal.
    expect(page.locator("#id_urgency")).to_have_value("urgent")
    expect(page.locator("#id_content")).to_have_value(parent.content)
    search = page.get_by_label("责任单位（可多选）")
    picker = page.locator("[data-unit-picker]")
    for name in COUNTIES:
        search.fill(name[:2])
        picker.get_by_label(name, exact=True).check()
    expect(picker.locator(".unit-picker-count")).to_have_text("3")
    rows = page.locator("fieldset.cascade-row:not([hidden])")
    expect(rows).to_have_count(3)
    anping = rows.filter(has_text="安平县人民政府")
    deadline = timezone.localdate() + timedelta(days=60)
    anping.get_by_label("完成时限").fill(deadline.isoformat())
    anping.get_by_label("权重").fill("2")
    viewport = page.viewport_size
    assert viewport is not None
    # Nothing of the form is wider than the screen (the phone included).
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.get_by_role("button", name="全部交办").click()
    expect(page.locator(".messages")).to_contain_text("已交办 3 个单位")
    children = {
        c.lead_org.name if c.lead_org else "": c for c in parent.children.select_related("lead_org")
    }
    assert sorted(children) == sorted(COUNTIES)
    for child in children.values():
        assert child.status == SupervisionTask.Status.ASSIGNED
        assert (child.urgency, child.content, child.goal) == ("urgent", parent.content, parent.goal)
        assert child.milestones.count() == 1
    assert children["安平县人民政府"].deadline == deadline
    assert children["安平县人民政府"].weight == Decimal("2.00")
    assert children["凤台县人民政府"].deadline == parent.deadline


def _pishi(page: Page, server: LiveServer) -> None:
    project = Project.objects.filter(county__name="明湖区人民政府", is_active=True).first()
    assert project is not None
    text = "请明湖区抓紧协调解决项目用地问题，确保按期开工。"
    login(page, server, "demo_leader", DEMO_PASSWORD)
    page.goto(f"{server.url}/projects/{project.pk}/")
    panel = page.locator("section.pishi")
    panel.get_by_text("写批示").click()
    panel.get_by_label("批示内容").fill(text)
    # The project's county is the default 落实单位.
    expect(panel.get_by_label("明湖区人民政府", exact=True)).to_be_checked()
    panel.get_by_role("button", name="提交批示并交办").click()
    expect(page.locator(".messages")).to_contain_text("批示已交办明湖区人民政府办理")
    panel = page.locator("section.pishi")
    expect(panel.locator(".pishi-text")).to_have_text(text)
    expect(panel.locator(".pishi-task")).to_contain_text("已交办")
    task = SupervisionTask.objects.get(source__source_ref=f"projects.project:{project.pk}")
    assert task.lead_org is not None
    assert task.lead_org.name == "明湖区人民政府"


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_cascade_and_pishi(
    page: Page, live_server: LiveServer, console: ConsoleLog, viewport: str
) -> None:
    width, height = VIEWPORTS[viewport]
    page.set_viewport_size({"width": width, "height": height})
    _cascade(page, live_server, _city_task())
    page.context.clear_cookies()
    _pishi(page, live_server)
    console.assert_clean()
