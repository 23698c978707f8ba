"""The monthly grid at the common office screen (1366×768) and on a phone (390×844): the
project and action columns stay in view, Enter saves a row and the keyboard goes on in the
next row, and the compact display is remembered."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from dudao.demo.registry import DEMO_PASSWORD
from dudao.demo.services import load_demo
from dudao.projects import selectors
from dudao.projects.models import MonthlyReport
from tests_e2e.browser import ConsoleLog, login
from tests_e2e.test_projects import _unreported_project

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def demo_city() -> None:
    load_demo(scale="city", log=lambda _line: None)


def _in_view(page: Page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    size = page.viewport_size
    assert box is not None
    assert size is not None
    return box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 0.5


def _grid(browser: Browser, server: LiveServer, width: int, height: int) -> tuple[Page, ConsoleLog]:
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": width, "height": height}
    )
    log = ConsoleLog()
    log.watch(context)
    page = context.new_page()
    login(page, server, "demo_reporter", DEMO_PASSWORD)
    year, month = selectors.reporting_period()
    page.goto(f"{server.url}/projects/grid/?period={year}-{month:02d}")
    return page, log


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_grid_fits_and_enter_moves_on(
    browser: Browser, live_server: LiveServer, width: int, height: int
) -> None:
    year, month = selectors.reporting_period()
    project, amount = _unreported_project(year, month)
    page, log = _grid(browser, live_server, width, height)
    row = page.locator(f"#row-{project.pk}")
    row.scroll_into_view_if_needed()
    # the project name (cut to one line, full name on hover) and the actions are both in view
    name = row.locator("td.grid-name a")
    expect(name).to_have_attribute("title", project.name)
    name_box = name.bounding_box()
    assert name_box is not None
    assert name_box["height"] < 30  # one line, not five
    assert _in_view(page, f"#row-{project.pk} td.grid-name")
    assert _in_view(page, f"#row-{project.pk} td.grid-actions button")

    # Enter saves the row, then the next row's first field has the keyboard
    field = row.get_by_label(f"{project.name} 本月完成投资")
    field.fill(str(amount))
    row.get_by_label(f"{project.name} 说明").fill("按计划集中支付进度款")
    field.press("Enter")
    expect(page.locator(f"#row-{project.pk}")).to_contain_text("已保存")
    next_row = page.evaluate(
        f"() => document.getElementById('row-{project.pk}').nextElementSibling.id"
    )
    # the row's text is swapped in first; the focus moves once htmx has settled the swap
    page.wait_for_function(
        "(next) => document.activeElement && document.activeElement.closest('tr')"
        " && document.activeElement.closest('tr').id === next",
        arg=next_row,
        timeout=5000,
    )
    focused_row = page.evaluate(
        "() => document.activeElement && document.activeElement.closest('tr')"
        " ? document.activeElement.closest('tr').id : ''"
    )
    assert focused_row == next_row
    assert page.evaluate("() => document.activeElement.name") in ("invest_month", "funds_month")
    saved = MonthlyReport.objects.get(project=project, year=year, month=month)
    assert saved.invest_month == amount
    # the keyboard flow goes on: the next row's field takes typing right away
    page.keyboard.type("1")
    assert page.evaluate("() => document.activeElement.value").endswith("1")
    log.assert_clean()


def test_compact_display_is_remembered(browser: Browser, live_server: LiveServer) -> None:
    page, log = _grid(browser, live_server, 1366, 768)
    rows_before = page.locator("#grid tbody tr").first.bounding_box()
    toggle = page.get_by_role("button", name="紧凑显示")
    toggle.click()
    expect(page.locator("#grid")).to_have_class("table grid-table grid-compact")
    rows_after = page.locator("#grid tbody tr").first.bounding_box()
    assert rows_before is not None
    assert rows_after is not None
    assert rows_after["height"] < rows_before["height"]
    page.reload()
    expect(page.locator("#grid")).to_have_class("table grid-table grid-compact")
    expect(page.get_by_role("button", name="标准显示")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="标准显示").click()
    page.reload()
    expect(page.locator("#grid")).to_have_class("table grid-table")
    log.assert_clean()
