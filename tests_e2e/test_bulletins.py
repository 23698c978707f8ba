"""督查通报 in a real Chromium: the 督查室 drafts the monthly 重大项目 bulletin from the data,
edits a sentence, sends it; the leader signs it; the numbered .docx downloads and opens."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document as ReadDocx
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from dudao.bulletins.models import Bulletin
from dudao.demo.registry import DEMO_PASSWORD
from tests_e2e import worlds
from tests_e2e.browser import ConsoleLog, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EDITED = "现将督查情况通报如下（浏览器测试）："


@pytest.fixture(autouse=True)
def demo_city() -> None:
    worlds.demo_city()


def test_draft_edit_send_sign_download(  # noqa: PLR0917 - pytest fixtures
    page: Page,
    context: BrowserContext,
    live_server: LiveServer,
    console: ConsoleLog,
    artifacts: Path,
    tmp_path: Path,
) -> None:
    # 1. The 督查室 drafts the monthly bulletin from the data.
    login(page, live_server, "demo_supervisor", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/bulletins/")
    page.locator("#new-kind").select_option(value="projects")
    page.locator("#new-submit").click()
    expect(page.locator(".messages")).to_contain_text("已生成草稿")
    expect(page.locator("#bulletin-status")).to_have_text("草稿")
    expect(page.locator("#bulletin-number")).to_contain_text("〔")
    detail_url = page.url
    assert re.search(r"/bulletins/\d+/$", detail_url)
    # a figure shows its source on hover
    first_figure = page.locator("#bulletin-paper .fig").first
    expect(first_figure).to_have_attribute("title", re.compile("来源：重大项目"))

    # 2. … edits the opening sentence and sends it for signature.
    page.locator("#para-p1 + details summary").click()
    box = page.locator("#edit-p1")
    text = box.input_value()
    box.fill(text.replace("现将有关情况通报如下：", EDITED))
    page.locator("#save-p1").click()
    expect(page.locator("#para-p1")).to_contain_text(EDITED)
    page.locator("#submit-bulletin").click()
    expect(page.locator("#bulletin-status")).to_have_text("待签发")

    # 3. The leader signs it.
    context.clear_cookies()
    login(page, live_server, "demo_leader", DEMO_PASSWORD)
    page.goto(detail_url)
    page.locator("#approve-bulletin").click()
    expect(page.locator("#bulletin-status")).to_have_text("已签发")
    number = page.locator("#bulletin-number").inner_text()
    assert re.fullmatch(r"示督通〔\d{4}〕\d+号", number.strip())

    # 4. The .docx downloads and opens, with the number and the edited sentence.
    with page.expect_download() as info:
        page.locator("#download-docx").click()
    path = tmp_path / "bulletin.docx"
    info.value.save_as(path)
    doc = ReadDocx(io.BytesIO(path.read_bytes()))
    body = "".join("".join(p.text for p in doc.paragraphs).split())
    assert number.strip() in body
    assert EDITED in body
    pk = int(detail_url.rstrip("/").rsplit("/", 1)[1])
    stored = Bulletin.objects.get(pk=pk)
    assert bytes(stored.docx or b"") == path.read_bytes()
    page.screenshot(path=str(artifacts / "bulletin-signed.png"), full_page=True)
    console.assert_clean()
