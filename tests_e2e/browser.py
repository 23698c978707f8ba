"""Helpers shared by the browser tests: console watching and the real login form."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from playwright.sync_api import BrowserContext, ConsoleMessage, Locator, Page
from pytest_django.live_server_helper import LiveServer

from dudao.demo.registry import DEMO_TOTP_KEY
from dudao.testing import totp_code

# Reports every CSP violation to the console, whatever the browser's own wording. Init scripts
# are injected by the browser itself, so the page's CSP does not block this one.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || document.location.href}:${e.lineNumber}`);
});
"""


@dataclass
class ConsoleLog:
    """Console errors, uncaught page errors and CSP violations seen during one test."""

    errors: list[str] = field(default_factory=list)
    allowed: list[Callable[[str], bool]] = field(default_factory=list)
    checked: bool = False

    def watch(self, context: BrowserContext) -> None:
        """Record errors of every page the context opens from now on."""
        context.add_init_script(script=CSP_LISTENER)
        context.on("page", self._watch_page)
        for page in context.pages:
            self._watch_page(page)

    def _watch_page(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def _on_console(self, msg: ConsoleMessage) -> None:
        if msg.type in ("error", "assert"):
            self.errors.append(f"console.{msg.type}: {msg.text} ({msg.location.get('url', '')})")

    def allow(self, predicate: Callable[[str], bool]) -> None:
        """Ignore errors matching `predicate` (e.g. the 404 of a page the test expects)."""
        self.allowed.append(predicate)

    def unexpected(self) -> list[str]:
        """Return the errors no `allow` predicate accepts."""
        return [e for e in self.errors if not any(ok(e) for ok in self.allowed)]

    def assert_clean(self) -> None:
        """Fail when the browser reported an unexpected error."""
        self.checked = True
        unexpected = self.unexpected()
        assert not unexpected, "浏览器控制台有错误：\n" + "\n".join(unexpected)


def login(
    page: Page,
    server: LiveServer,
    username: str,
    password: str,
    *,
    totp_key: str | None = DEMO_TOTP_KEY,
) -> None:
    """Fill in and submit the real login form, waiting for the answer page; pass the second
    factor with `totp_key` (the demo administrators' key) when it is asked for, unless None."""
    page.goto(f"{server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    if totp_key is not None and "/login/verify/" in page.url:
        pass_second_factor(page, totp_key)


def pass_second_factor(page: Page, key_hex: str = DEMO_TOTP_KEY) -> None:
    """Type the code the demo administrators' authenticator shows now. A code is accepted once,
    so when this account already used the current one, wait for the next 30-second step."""
    for _attempt in range(2):
        page.get_by_label("验证码").fill(totp_code(key_hex))
        with page.expect_navigation():
            page.get_by_role("button", name="验证").click()
        if "/login/verify/" not in page.url:
            return
        time.sleep(30.5 - time.time() % 30)
    raise AssertionError("两步验证未通过")


def menu_link(page: Page, label: str) -> Locator:
    """The side menu's link `label`, ready to click: the drawer opened on a phone and the link's
    group expanded (only the active page's group is open when a page loads)."""
    nav = page.get_by_role("navigation", name="主导航")
    toggle = page.locator("#navtoggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    # `has` is relative to each group, so the link's locator starts from the page.
    in_group = page.locator("a").filter(has_text=re.compile(f"^{re.escape(label)}$"))
    group = nav.locator("details.navgroup").filter(has=in_group)
    if group.count() and group.get_attribute("open") is None:
        group.locator("summary").click()
    return nav.get_by_role("link", name=label, exact=True)


def menu_entries(page: Page) -> Locator:
    """Every link of the side menu, shown or inside a closed group."""
    return page.locator("#sidenav a")


def pick_unit(page: Page, field_label: str, unit: str) -> None:
    """Choose `unit` in the searchable unit tree labelled `field_label` (dudao.core.unitpicker):
    type part of the name into its search box, then tick the unit (exact name)."""
    # The label reads "名称" or, for a required field, "名称*".
    search = page.get_by_label(re.compile(rf"^{re.escape(field_label)}\*?$"))
    picker = search.locator("xpath=ancestor::div[@data-unit-picker]")
    search.fill(unit)
    picker.get_by_label(unit, exact=True).check()
