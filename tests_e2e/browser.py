"""Helpers shared by the browser tests: console watching and the real login form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from playwright.sync_api import BrowserContext, ConsoleMessage, Page
from pytest_django.live_server_helper import LiveServer

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


def login(page: Page, server: LiveServer, username: str, password: str) -> None:
    """Fill in and submit the real login form, waiting for the answer page."""
    page.goto(f"{server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
