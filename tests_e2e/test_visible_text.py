"""No internal strings reach a user: every demo role opens every page of its menu and one
detail page per module; the visible text holds no ASCII identifiers or snake_case words (bar
an allow-list of what users do read: PDF, Excel, API …, codes, numbers, dates, e-mails),
no raw dict/list reprs, no "None", and the browser reports no console error.

One browser, one login per role; pages are opened by URL (the menu itself is walked by
test_navigation.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from dudao.accounts.models import User
from dudao.demo.registry import DEMO_PASSWORD
from dudao.demo.services import load_demo
from tests_e2e.browser import ConsoleLog, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

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
# A detail page per module: the first link of this shape found on the role's pages.
DETAIL_LINKS = [
    r"^/projects/\d+/$",
    r"^/projects/reports/\d+/$",
    r"^/supervision/tasks/\d+/$",
    r"^/problems/\d+/$",
    r"^/investment/\d+/$",
    r"^/parks/\d+/$",
    r"^/inspections/[a-z]+/\d+/$",
    r"^/bulletins/\d+/$",
    r"^/targets/sets/\d+/$",
    r"^/audit/\d+/$",
    r"^/users/\d+/$",
    r"^/orgs/\d+/$",
]
# Latin words users do read (formats, standards, the product's own names).
ALLOWED_WORDS = {
    "PDF", "Excel", "API", "IP", "Word", "CSV", "XLSX", "xlsx", "docx", "pdf", "GB", "T",
    "ID", "OpenAPI", "TOTP", "HTMX", "ECharts", "Dudao", "WPS", "OFD", "URL", "HTTPS", "Bearer",
    "Token", "QR", "PPT", "Android", "iOS", "App", "GDP", "Chrome", "Edge", "AM", "PM",
    "WebP", "PNG", "JPEG", "JPG", "GeoJSON", "JSON", "R&D",
}  # fmt: skip
# Text users read as it is: placeholders of editable phrases ("{n}家产业集聚区"), paths
# ("/api/v1"), digests and request numbers (hex), "R&D".
SKIP = re.compile(r"\{\w+\}|/[\w/.-]*|\b[0-9a-f]{16,}\b|R&D")
WORD = re.compile(r"(?<![\w@.-])[A-Za-z][A-Za-z0-9_]*(?:_[A-Za-z0-9_]+)*(?![\w@])")
CODE = re.compile(r"^[A-Z0-9]{2,}$|^[A-Z]{1,4}\d[\w-]*$|^\d")  # USCC, 项目代码, WT2026-…
EMAIL = re.compile(r"\S+@\S+\.\S+")
REPR = re.compile(r"\{'|\['|\bNone\b|\bTrue\b|\bFalse\b|<[a-z_.]+ object at 0x")


def findings(text: str, usernames: set[str]) -> list[str]:
    text = SKIP.sub(" ", EMAIL.sub(" ", text))
    out = [f"内部表示：{m.group(0)}" for m in REPR.finditer(text)]
    for m in WORD.finditer(text):
        word = m.group(0)
        if word in ALLOWED_WORDS or word in usernames or CODE.match(word):
            continue
        out.append(f"英文/标识符：{word}")
    return out


def _pages_of(page: Page, server: LiveServer) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all(
        "#sidenav a", "els => els.map(e => e.getAttribute('href'))"
    )
    return [h for h in hrefs if h and h.startswith("/") and not h.startswith("/api/")]


def _visit(page: Page, url: str, usernames: set[str]) -> tuple[list[str], list[str]]:
    page.goto(url)
    # <code> marks literal text a user is meant to type (an HTTP header, a file's field name)
    text = page.evaluate(
        """() => {
          let text = document.body.innerText;
          for (const c of document.querySelectorAll("code, kbd")) {
            text = text.split(c.innerText).join(" ");
          }
          return text;
        }"""
    )
    links: list[str] = page.eval_on_selector_all(
        "a[href^='/']", "els => els.map(e => e.getAttribute('href').split('?')[0])"
    )
    return findings(text, usernames), links


def test_no_internal_strings_on_any_page(browser: Browser, live_server: LiveServer) -> None:
    load_demo(scale="city", log=lambda _line: None)
    problems: dict[str, list[str]] = {}
    console_errors: list[str] = []
    for username in ROLES:
        context = browser.new_context(
            locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1366, "height": 768}
        )
        log = ConsoleLog()
        log.watch(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        login(page, live_server, username, DEMO_PASSWORD)
        usernames = set(User.objects.values_list("username", flat=True))
        seen: set[str] = set()
        queue = _pages_of(page, live_server)
        wanted = list(DETAIL_LINKS)
        while queue:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            found, links = _visit(page, f"{live_server.url}{path}", usernames)
            for item in found:
                problems.setdefault(f"{username} {path}", []).append(item)
            for pattern in list(wanted):
                match = next((h for h in links if re.match(pattern, h)), None)
                if match:
                    wanted.remove(pattern)
                    queue.append(match)
        console_errors += [f"{username}: {e}" for e in log.unexpected()]
        context.close()
    report = [f"{where}: {'、'.join(sorted(set(items)))}" for where, items in problems.items()]
    assert not report, "页面上有内部字符串：\n" + "\n".join(report)
    assert not console_errors, "浏览器控制台有错误：\n" + "\n".join(console_errors)
