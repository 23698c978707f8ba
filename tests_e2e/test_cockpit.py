"""The leaders' cockpit in a real Chromium: a leader lands on it at login, at 1366×768 and on a
390×844 phone; a county leader sees only the county; the wall screen refreshes itself and,
when the server stops answering, keeps the last good figures and says since when."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from dudao.demo.registry import DEMO_PASSWORD
from tests_e2e import worlds
from tests_e2e.browser import ConsoleLog, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": (1366, 768), "phone": (390, 844)}


@pytest.fixture(autouse=True)
def demo_city() -> None:
    worlds.demo_city()


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1  # type: ignore[index]


@pytest.mark.parametrize("size", SIZES)
def test_a_leader_sees_the_city_without_clicking(
    page: Page, live_server: LiveServer, console: ConsoleLog, artifacts: Path, size: str
) -> None:
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    login(page, live_server, "demo_leader", DEMO_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("示范市驾驶舱")
    for title in ("主要经济指标", "重大项目", "督查督办", "问题台账", "观摩排名", "县区地图"):
        expect(page.get_by_role("heading", level=2, name=re.compile(title))).to_be_visible()
    expect(page.locator("[data-spark] canvas").first).to_be_visible()
    expect(page.locator("#ck-map canvas")).to_have_count(1)
    _no_sideways_scroll(page)
    page.screenshot(path=artifacts / f"cockpit-leader-{size}.png", full_page=True)
    # A county on the map list opens the same cockpit for that county.
    page.locator(".ck-map-list").get_by_role("link", name="明湖区").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("明湖区驾驶舱")
    expect(page).to_have_url(re.compile(r"/cockpit/\?unit=\d+$"))
    console.assert_clean()


def test_a_county_leader_sees_only_the_county(
    page: Page, live_server: LiveServer, console: ConsoleLog
) -> None:
    login(page, live_server, "demo_county_leader", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("明湖区驾驶舱")
    expect(page.locator(".ck-map-list li")).to_have_count(1)
    expect(page.locator(".ck-map-list")).to_have_text("明湖区")
    console.assert_clean()


def test_the_wall_screen_refreshes_and_survives_a_broken_connection(
    page: Page, live_server: LiveServer, console: ConsoleLog, artifacts: Path, settings: Any
) -> None:
    settings.DUDAO_COCKPIT_WALL_REFRESH_SECONDS = 5
    page.set_viewport_size({"width": 1920, "height": 1080})
    login(page, live_server, "demo_leader", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/cockpit/wall/")
    expect(page.locator(".mainnav")).to_have_count(0)  # no chrome
    expect(page.locator("body")).to_have_attribute(
        "data-refreshed", re.compile(r"\d+"), timeout=15_000
    )
    good = page.locator("#ck-updated").inner_text()
    assert re.fullmatch(r"数据更新于 \d\d:\d\d:\d\d", good)
    rate = page.locator('[data-field="projects.rate"]').first.inner_text()
    assert rate.endswith("%")

    # The server stops answering: 503 first, then the connection drops.
    calls: list[str] = []

    def fail(route: Route) -> None:
        calls.append(route.request.url)
        if len(calls) == 1:
            route.fulfill(status=503, body="")
        else:
            route.abort("connectionrefused")

    console.allow(lambda line: "503" in line or "ERR_CONNECTION_REFUSED" in line)
    page.route(re.compile(r".*/api/v1/cockpit.*"), fail)
    expect(page.locator("#ck-offline")).to_be_visible(timeout=15_000)
    expect(page.locator("#ck-offline")).to_have_text("连接中断，正在重试")
    assert page.locator("#ck-updated").inner_text() == good  # the last good time, kept
    assert page.locator('[data-field="projects.rate"]').first.inner_text() == rate
    page.screenshot(path=artifacts / "cockpit-wall-offline.png")

    # The server answers again: the notice goes, the time moves on.
    page.unroute(re.compile(r".*/api/v1/cockpit.*"))
    expect(page.locator("#ck-offline")).to_be_hidden(timeout=15_000)
    expect(page.locator("#ck-updated")).to_have_text(re.compile(r"数据更新于 \d\d:\d\d:\d\d"))
    console.assert_clean()
