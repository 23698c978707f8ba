"""No internal strings reach a user: the visible text of a page holds no ASCII identifiers or
snake_case words (bar an allow-list of what users do read: PDF, Excel, API …, codes, numbers,
dates, e-mails), no raw dict/list reprs, no "None".

test_navigation.py reads every page of every demo role's menu, and one detail page per module,
with `read_page` as it walks them (one walk, one login per role)."""

from __future__ import annotations

import re

from playwright.sync_api import Page

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


def read_page(page: Page, usernames: set[str]) -> tuple[list[str], list[str]]:
    """What is wrong with the open page's visible text, and the site's links on it."""
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
