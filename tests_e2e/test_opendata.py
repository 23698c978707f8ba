"""The public disclosure site in a real Chromium with JavaScript disabled, on a phone-sized
screen: the project list, a filter (a plain GET form), a project page with its disclosure
categories, milestones, investment chart and release history — and no cookie set."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from dudao.demo.services import load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def demo_city() -> None:
    load_demo(scale="city", log=lambda _line: None)


def test_list_filter_and_project_page_without_javascript(
    browser: Browser, live_server: LiveServer, artifacts: Path
) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 844}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/open/")
    expect(page.locator("h1")).to_have_text("重大建设项目名录")
    total = page.locator(".open-count").inner_text()
    # filter by stage: the form submits as a plain GET
    page.locator("select[name=stage]").select_option(value="continuing")
    page.get_by_role("button", name="筛选").click()
    assert "stage=continuing" in page.url
    expect(page.locator(".open-count")).not_to_have_text(total)
    rows = page.locator(".open-table tbody tr")
    expect(rows.first).to_contain_text("续建")
    # open the first project
    rows.first.locator("a").click()
    expect(page.locator("h2", has_text="批准结果信息")).to_be_visible()
    expect(page.locator("h2", has_text="施工有关信息")).to_be_visible()
    expect(page.locator("h2", has_text="公开版本记录")).to_be_visible()
    expect(page.locator(".open-history li").first).to_contain_text("第 1 版")
    expect(page.locator("svg.open-chart")).to_have_count(1)
    # fits the phone: the page's content is no wider than the screen
    box = page.locator("main").bounding_box()
    assert box is not None
    assert box["width"] <= 390
    page.screenshot(path=str(artifacts / "opendata-project-phone.png"), full_page=True)
    assert context.cookies() == []
    context.close()
