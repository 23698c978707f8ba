"""Enterprise service (issue 17) in a real Chromium, at 1366×768 and on a 390×844 phone: the
liaison officer logs a visit with a 用地 demand, the land bureau answers it from its inbox, and
the enterprise confirms and rates it on its own portal."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from dudao.demo.registry import DEMO_PASSWORD
from dudao.enterprises.models import Demand, EnterpriseAccount
from dudao.orgs.models import Organisation
from tests_e2e import worlds
from tests_e2e.browser import ConsoleLog, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
VIEWPORTS = {"desktop": (1366, 768), "phone": (390, 844)}


@pytest.fixture(autouse=True)
def demo_city() -> None:
    worlds.demo_city()


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_visit_demand_answer_and_rating(
    page: Page, live_server: LiveServer, console: ConsoleLog, viewport: str
) -> None:
    width, height = VIEWPORTS[viewport]
    page.set_viewport_size({"width": width, "height": height})
    firm = (
        EnterpriseAccount.objects.select_related("enterprise")
        .get(user__username="demo_enterprise")
        .enterprise
    )
    land = Organisation.objects.get(code="SFS-ZRZY")
    title = f"三期厂房用地（{viewport}）"

    # The officer (demo_reporter liaises with the demo enterprise) logs the visit and the demand.
    login(page, live_server, "demo_reporter", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/enterprises/mine/")
    expect(page.get_by_role("heading", level=1)).to_have_text("我联系的企业")
    page.locator("#my-enterprises tr", has_text=firm.name).get_by_role(
        "link", name="登记走访"
    ).click()
    page.get_by_label("走访日期").fill(timezone.localdate().isoformat())
    page.get_by_label("会见人员").fill("张某（总经理）")
    page.get_by_label("走访情况").fill("了解三期项目进展，企业反映用地指标不足。")
    page.get_by_label("本次走访提出诉求").check()
    page.get_by_label("诉求类别").select_option("land")
    page.get_by_label("诉求事项").fill(title)
    page.get_by_label("诉求内容").fill("三期厂房需新增工业用地约25亩。")
    page.get_by_label("责任部门").select_option(str(land.pk))
    page.get_by_role("button", name="保存走访").click()
    expect(page.locator(".messages")).to_contain_text("已登记走访，提出诉求1项")
    demand = Demand.objects.get(enterprise=firm, title=title)
    assert demand.category == "land"
    assert demand.department_id == land.pk

    # The land bureau answers from its inbox.
    page.context.clear_cookies()
    login(page, live_server, "demo_land", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/enterprises/demands/inbox/?status=pending&sort=raised")
    page.get_by_role("link", name=demand.code).click()
    expect(page.locator("#demand-status")).to_contain_text("待受理")
    page.get_by_label("答复意见").fill("已纳入本年度供地计划，下季度挂牌出让。")
    page.get_by_role("button", name="提交答复").click()
    expect(page.locator(".messages")).to_contain_text("已答复")
    expect(page.locator("#demand-status")).to_contain_text("已答复")

    # The enterprise lands on its portal, confirms and rates.
    page.context.clear_cookies()
    login(page, live_server, "demo_enterprise", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("我的诉求")
    page.get_by_role("link", name=demand.code).click()
    page.get_by_label("5 非常满意").check()
    page.get_by_label("评价意见").fill("答复及时")
    page.get_by_role("button", name="确认办结").click()
    expect(page.locator(".messages")).to_contain_text("已确认办结")
    expect(page.locator("#demand-status")).to_contain_text("已办结")
    expect(page.locator("#demand-rating")).to_contain_text("5分")
    demand.refresh_from_db()
    assert (demand.status, demand.satisfaction, demand.confirmed_on_behalf) == ("closed", 5, False)
    console.assert_clean()
