"""The public disclosure site in a real Chromium with JavaScript disabled, on a phone-sized
screen: the project list, a filter (a plain GET form), a project page with its disclosure
categories, milestones, investment chart, a photo cleared for publication and release
history — and no cookie set."""

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


def _clear_a_photo(project_id: int) -> None:
    """Attach a site photo to one of the project's reports and clear it as the demo's
    supervisor (the photo is re-encoded like an upload, so it carries no metadata)."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from dudao.accounts.models import User
    from dudao.core.uploads import clean_photo
    from dudao.opendata import services
    from dudao.projects.models import MonthlyReport, ReportPhoto

    buf = io.BytesIO()
    Image.new("RGB", (640, 480), "olive").save(buf, "JPEG")
    clean = clean_photo(buf.getvalue(), "site.jpg")
    report = MonthlyReport.objects.filter(project_id=project_id).order_by("-year", "-month")[0]
    supervisor = User.objects.get(username="demo_supervisor")
    photo = ReportPhoto(
        report=report,
        uploaded_by=report.created_by or supervisor,
        width=clean.width,
        height=clean.height,
    )
    photo.image.save(clean.name, ContentFile(clean.content), save=False)
    photo.save()
    services.set_photo_clearance(
        actor=supervisor,
        project_id=project_id,
        photo_id=photo.pk,
        cleared=True,
        caption="主体结构封顶",
    )


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
    # the supervisor clears a site photo: the page shows it (a new release), the image loads
    project_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    _clear_a_photo(project_id)
    page.reload()
    photo = page.locator(".open-photos img")
    expect(photo).to_have_count(1)
    photo.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('.open-photos img').naturalWidth > 0")
    expect(page.locator(".open-photos")).to_contain_text("主体结构封顶")
    expect(page.locator(".open-history li").first).to_contain_text("第 2 版")
    # fits the phone: the page's content is no wider than the screen
    box = page.locator("main").bounding_box()
    assert box is not None
    assert box["width"] <= 390
    page.screenshot(path=str(artifacts / "opendata-project-phone.png"), full_page=True)
    assert context.cookies() == []
    context.close()
