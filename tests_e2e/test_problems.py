"""The problem ledger in a real Chromium: the 督查室 assigns a problem to 明湖区, the district
reports the fix with an after-photo and applies for close-out, the 督查室 verifies it, the
problem is closed and 明湖区's statistics change."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from dudao.demo.registry import DEMO_PASSWORD
from dudao.problems.models import Problem
from tests_e2e import worlds
from tests_e2e.browser import ConsoleLog, login, pick_unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DISTRICT = "明湖区人民政府"
TITLE = "明湖区重点项目供电线路未接入（浏览器测试）"


@pytest.fixture(autouse=True)
def demo_city() -> None:
    worlds.demo_city()


def district_figures(page: Page, server: LiveServer) -> dict[str, int]:
    """明湖区's row of the statistics page (rolled up to districts and counties)."""
    page.goto(f"{server.url}/problems/stats/?by=county")
    row = page.locator("#unit-stats tbody tr", has_text=DISTRICT)
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    return {"total": int(cells[1]), "open": int(cells[2]), "closed": int(cells[4])}


def assign(page: Page, server: LiveServer) -> str:
    """Fill in 登记问题 as the 督查室; return the new problem's page URL."""
    page.goto(f"{server.url}/problems/")
    page.get_by_role("link", name="登记问题").click()
    page.locator("#id_source").select_option(label="督查")
    page.locator("#id_category").select_option(label="水电气")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_severity").select_option(label="较重")
    pick_unit(page, "责任单位", DISTRICT)
    deadline = timezone.localdate() + dt.timedelta(days=20)
    page.locator("#id_deadline").fill(deadline.isoformat())
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("交办明湖区人民政府")
    expect(page.locator("#problem-status")).to_have_text("交办")
    return page.url


def switch_user(page: Page, context: BrowserContext, server: LiveServer, username: str) -> None:
    context.clear_cookies()
    login(page, server, username, DEMO_PASSWORD)


def test_assign_fix_apply_verify_close(  # noqa: PLR0917 - pytest fixtures
    page: Page,
    context: BrowserContext,
    live_server: LiveServer,
    console: ConsoleLog,
    artifacts: Path,
    tmp_path: Path,
) -> None:
    # 1. The 督查室 assigns a problem to 明湖区.
    login(page, live_server, "demo_supervisor", DEMO_PASSWORD)
    before = district_figures(page, live_server)
    detail_url = assign(page, live_server)
    assert re.search(r"/problems/\d+/$", detail_url)

    # 2. The district's reporter starts, uploads an after-photo and applies for close-out.
    switch_user(page, context, live_server, "demo_reporter")
    page.goto(detail_url)
    page.locator("form:has(input[value=start]) button[type=submit]").click()
    expect(page.locator("#problem-status")).to_have_text("整改中")
    photo = tmp_path / "整改后现场.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (60, 140, 80)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    page.locator("form.upload select[name=stage]").select_option("after")
    page.set_input_files("#evidence-file", str(photo))
    page.locator("form.upload button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("已上传")
    expect(page.locator("#evidence img[alt='整改后现场.jpg']")).to_be_visible()
    page.locator("summary", has_text="申请销号").click()
    page.locator("#note-apply").fill("供电线路已接入，设备已通电调试。")
    page.locator("form:has(#note-apply) button[type=submit]").click()
    expect(page.locator("#problem-status")).to_have_text("申请销号")
    expect(page.locator("#problem-actions")).to_have_count(0)  # nothing left for the district

    # 3. The 督查室 verifies: closed.
    switch_user(page, context, live_server, "demo_supervisor")
    page.goto(detail_url)
    page.locator("summary", has_text="核查通过，销号").click()
    page.locator("#note-close").fill("现场核查属实，同意销号。")
    page.locator("form:has(#note-close) button[type=submit]").click()
    expect(page.locator("#problem-status")).to_have_text("已销号")
    expect(page.locator("#problem-late")).to_have_text("按期销号")
    timeline = page.locator("#timeline")
    for step in ("交办", "签收并开始整改", "上传佐证材料", "申请销号", "核查通过，销号"):
        expect(timeline).to_contain_text(step)
    page.screenshot(path=artifacts / "problem-closed.png", full_page=True)

    # 4. 明湖区's statistics changed: one more problem, closed.
    page.goto(f"{live_server.url}/problems/?status=closed&q=浏览器测试")
    expect(page.locator("#problems tbody tr")).to_have_count(1)
    expect(page.locator("#problems tbody tr")).to_contain_text("按期销号")
    page.goto(f"{live_server.url}/problems/?status=open")
    page.screenshot(path=artifacts / "problem-ledger.png", full_page=False)
    after = district_figures(page, live_server)
    assert after == {
        "total": before["total"] + 1,
        "open": before["open"],
        "closed": before["closed"] + 1,
    }
    problem = Problem.objects.get(title=TITLE)
    assert problem.fixing_org is not None
    assert problem.verifier_org is not None
    assert (problem.status, problem.fixing_org.name, problem.verifier_org.name) == (
        "closed",
        "明湖区发展和改革委员会",
        "示范市人民政府督查室",
    )
    console.assert_clean()
