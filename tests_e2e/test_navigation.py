"""The side menu, the review queue's bulk approval and the lock dialog in a real Chromium, at
the office screen (1366×768) and on a phone (390×844): every entry a demo role may open is
reachable and lights up alone, the page never scrolls sideways, the phone's menu is a drawer.

The office-screen walk also reads each page it opens, and one detail page per module reached
from them, for internal strings a user must never see (tests_e2e/visible_text.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from dudao.accounts.models import User
from dudao.demo.registry import DEMO_PASSWORD
from dudao.policy.navigation import allowed_entries, grouped
from dudao.projects import selectors
from dudao.projects.models import MonthLock, MonthlyReport
from dudao.supervision.models import Notification
from tests_e2e import worlds
from tests_e2e.browser import ConsoleLog, login, menu_link
from tests_e2e.visible_text import DETAIL_LINKS, read_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}
ROLES = [
    "demo_reporter",
    "demo_reviewer",
    "demo_park",
    "demo_supervisor",
    "demo_leader",
    "demo_judge",
    "demo_sysadmin",
    "demo_secadmin",
    "demo_auditadmin",
]


@pytest.fixture(autouse=True)
def demo_city() -> None:
    worlds.demo_city()


def _page(browser: Browser, viewport: ViewportSize) -> tuple[BrowserContext, Page, ConsoleLog]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport)
    log = ConsoleLog()
    log.watch(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page, log


def _no_sideways_scroll(page: Page, viewport: ViewportSize) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{page.url} 横向溢出：{width}px"


@dataclass
class Walked:
    entries: int = 0
    details: int = 0  # detail pages read
    problems: dict[str, list[str]] = field(default_factory=dict)  # page → what users must not see

    def read(self, page: Page, where: str, usernames: set[str]) -> list[str]:
        found, links = read_page(page, usernames)
        if found:
            self.problems[where] = sorted(set(found))
        return links


def _details(page: Page, server: LiveServer, walked: Walked, user: str, links: list[str]) -> None:
    """One detail page per module: the first link of each shape, searched breadth-first from
    the menu's pages (a report is found on a project's page, …)."""
    usernames = set(User.objects.values_list("username", flat=True))
    wanted, queue, seen = list(DETAIL_LINKS), [], set()
    while wanted:
        for pattern in list(wanted):
            match = next((h for h in links if re.match(pattern, h) and h not in seen), None)
            if match:
                wanted.remove(pattern)
                queue.append(match)
        if not queue:
            return
        path = queue.pop(0)
        seen.add(path)
        walked.details += 1
        page.goto(f"{server.url}{path}")
        _no_sideways_scroll(page, DESKTOP)
        links = walked.read(page, f"{user} {path}", usernames)


def _walk_menu(
    browser: Browser, server: LiveServer, username: str, viewport: ViewportSize
) -> Walked:
    """Open every menu entry of `username` through the menu itself (on the office screen also
    reading every page and one detail page per module)."""
    walked = Walked()
    context, page, log = _page(browser, viewport)
    login(page, server, username, DEMO_PASSWORD)
    entries: list[list[str]] = page.eval_on_selector_all(
        "#sidenav a", "els => els.map(e => [e.getAttribute('href'), e.textContent.trim()])"
    )
    # The menu holds exactly what the URL policy lets the role open (首页 first).
    user = User.objects.get(username=username)
    assert [label for _href, label in entries] == [
        "首页",
        *(item.label for group in grouped(allowed_entries(user)) for item in group.items),
    ]
    walked.entries = len(entries)
    usernames = set(User.objects.values_list("username", flat=True))
    links: list[str] = []
    if viewport == DESKTOP:  # every group heading fits on the screen, nothing is cut off
        for box in page.locator("#sidenav summary").all():
            bottom = box.bounding_box()
            assert bottom is not None
            assert bottom["y"] + bottom["height"] <= viewport["height"]
    for href, label in entries:
        link = menu_link(page, label)
        expect(link).to_be_visible()
        with page.expect_navigation():
            link.click()
        assert page.url == f"{server.url}{href}", (label, page.url)
        if href.startswith("/api/"):  # 接口文档: the API's own page, without the site's frame
            page.go_back()
            continue
        active = page.locator("#sidenav a.active")
        expect(active).to_have_count(1)
        expect(active).to_have_text(label)
        expect(active).to_have_attribute("aria-current", "page")
        _no_sideways_scroll(page, viewport)
        if viewport == PHONE:
            expect(page.locator("#sidenav")).to_be_hidden()  # the drawer closed on the new page
        else:
            links += walked.read(page, f"{username} {href}", usernames)
    if viewport == DESKTOP:
        _details(page, server, walked, username, links)
    log.assert_clean()
    context.close()
    return walked


# Who works on a phone: the judge on site, a county reporter, the leader between meetings, the
# supervisor chasing deadlines. Every role is walked at 1366×768; these four also on the phone
# (the drawer and the page widths are the same code for every role).
PHONE_ROLES = ["demo_judge", "demo_reporter", "demo_leader", "demo_supervisor"]


@pytest.mark.parametrize(
    ("viewport", "roles"),
    [
        pytest.param(DESKTOP, ROLES, id="1366x768"),
        pytest.param(PHONE, PHONE_ROLES, id="390x844"),
    ],
)
def test_every_role_reaches_every_permitted_entry(
    browser: Browser,
    live_server: LiveServer,
    viewport: ViewportSize,
    roles: list[str],
    console: ConsoleLog,
) -> None:
    walks = {username: _walk_menu(browser, live_server, username, viewport) for username in roles}
    assert walks["demo_supervisor"].entries > walks["demo_reporter"].entries > 5
    if viewport == DESKTOP:  # projects, reports, tasks, problems, deals, parks, tours, …
        assert walks["demo_supervisor"].details >= 6, walks["demo_supervisor"].details
    report = [
        f"{where}: {'、'.join(items)}"
        for walk in walks.values()
        for where, items in walk.problems.items()
    ]
    assert not report, "页面上有内部字符串：\n" + "\n".join(report)
    console.assert_clean()


def test_the_phone_menu_is_a_drawer(
    browser: Browser, live_server: LiveServer, console: ConsoleLog, artifacts: Path
) -> None:
    context, page, log = _page(browser, PHONE)
    login(page, live_server, "demo_reviewer", DEMO_PASSWORD)
    nav = page.locator("#sidenav")
    toggle = page.get_by_role("button", name="菜单")
    expect(nav).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(nav).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(toggle).to_be_focused()
    toggle.click()
    page.mouse.click(370, 500)  # the backdrop beside the drawer closes it
    expect(nav).to_be_hidden()
    _no_sideways_scroll(page, PHONE)
    toggle.click()
    page.screenshot(path=artifacts / "menu-phone-open.png")
    log.assert_clean()
    context.close()
    console.assert_clean()


@pytest.mark.parametrize(
    "viewport", [pytest.param(DESKTOP, id="1366x768"), pytest.param(PHONE, id="390x844")]
)
def test_the_reviewer_approves_several_reports_at_once(
    browser: Browser, live_server: LiveServer, viewport: ViewportSize, console: ConsoleLog
) -> None:
    reviewer = User.objects.get(username="demo_reviewer")
    queue = [row for row in selectors.review_queue(reviewer) if not row.locked]
    assert len(queue) >= 3, "the demo leaves reports awaiting review in 明湖区"
    context, page, log = _page(browser, viewport)
    login(page, live_server, "demo_reviewer", DEMO_PASSWORD)
    menu_link(page, "本月待办").click()
    table = page.locator("#review-queue")
    expect(table.locator("tbody tr")).to_have_count(len(selectors.review_queue(reviewer)))
    first = table.locator("tbody tr").first
    expect(first.locator(".light")).to_have_count(1)  # plan, completion and light per report
    page.get_by_label("全选可审核的月报").check()
    with page.expect_navigation():
        page.get_by_role("button", name="审核通过所选月报").click()
    expect(page.locator(".messages")).to_contain_text(f"已审核通过 {len(queue)} 份月报。")
    approved = MonthlyReport.objects.filter(pk__in=[row.report.pk for row in queue])
    assert set(approved.values_list("status", flat=True)) == {"approved"}
    assert Notification.objects.filter(kind="report_ok").count() >= len(queue)
    expect(page.locator("#review-queue input[name=report]")).to_have_count(0)
    _no_sideways_scroll(page, viewport)
    log.assert_clean()
    context.close()
    console.assert_clean()


def _month_with_pending_reports() -> tuple[int, int, int]:
    """A month past its deadline, not locked, with reports awaiting review (the demo's)."""
    from django.utils import timezone

    today = timezone.localdate()
    for year, month in (
        MonthlyReport.objects.filter(status="submitted")
        .values_list("year", "month")
        .distinct()
        .order_by("year", "month")
    ):
        if selectors.report_deadline(year, month).due >= today:
            continue
        if MonthLock.objects.filter(year=year, month=month, is_active=True).exists():
            continue
        return year, month, len(selectors.pending_reports(year, month, None))
    raise AssertionError("the demo has no unlocked month with reports awaiting review")


@pytest.mark.parametrize(
    "viewport", [pytest.param(DESKTOP, id="1366x768"), pytest.param(PHONE, id="390x844")]
)
def test_locking_a_month_asks_about_reports_awaiting_review(
    browser: Browser,
    live_server: LiveServer,
    viewport: ViewportSize,
    console: ConsoleLog,
    artifacts: Path,
) -> None:
    year, month, pending = _month_with_pending_reports()
    context, page, log = _page(browser, viewport)
    login(page, live_server, "demo_supervisor", DEMO_PASSWORD)
    menu_link(page, "月报锁定").click()
    picker = page.get_by_label("月份")
    expect(picker).to_have_attribute("type", "month")
    picker.fill(f"{year}-{month:02d}")
    page.get_by_role("button", name="锁定", exact=True).click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"{year}年{month}月（全市）还有 {pending} 份月报待审核")
    expect(dialog.locator("#lock-pending tbody tr")).to_have_count(pending)
    _no_sideways_scroll(page, viewport)
    # Returning needs a reason: asked again, nothing locked.
    dialog.get_by_label("一并退回后锁定", exact=False).check()
    dialog.get_by_role("button", name="确定").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("退回必须填写原因。")
    assert not MonthLock.objects.filter(year=year, month=month, is_active=True).exists()
    page.get_by_role("alertdialog").get_by_label("一并退回后锁定", exact=False).check()
    page.get_by_label("退回原因（选择“一并退回”时必填）").fill("请补充现场照片后重报")
    page.get_by_role("alertdialog").get_by_role("button", name="确定").click()
    expect(page.locator(".messages")).to_contain_text(
        f"{year}年{month}月已锁定（锁定前一并退回 {pending} 份月报）。"
    )
    assert MonthLock.objects.filter(year=year, month=month, is_active=True).exists()
    assert not MonthlyReport.objects.filter(year=year, month=month, status="submitted").exists()
    assert Notification.objects.filter(kind="report_back").count() >= 1
    page.screenshot(path=artifacts / f"lock-done-{viewport['width']}.png")
    log.assert_clean()
    context.close()
    console.assert_clean()
