"""观摩督导 in a real Chromium on a phone-sized viewport: a judge scores two sites on the phone
page (steppers, offline draft, saves through the API), the organiser closes scoring and
publishes, the county ranking shows."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Dialog, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from dudao.accounts.models import User
from dudao.demo.registry import DEMO_PASSWORD
from dudao.inspections import services
from dudao.inspections.models import Score, ScoreCard, Tour
from dudao.orgs.models import Organisation
from dudao.projects.models import Project
from tests_e2e import worlds
from tests_e2e.browser import ConsoleLog, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
TOUR_NAME = "浏览器测试观摩"


@pytest.fixture
def tour() -> Tour:
    """The demo city and a tour over 明湖区 and 清河区: one industry site each, demo_judge."""
    worlds.demo_city()
    supervisor = User.objects.get(username="demo_supervisor")
    today = timezone.localdate()
    tour = services.create_tour(
        actor=supervisor, name=TOUR_NAME, period="测试", start_date=today, end_date=today
    )
    group = services.add_group(
        actor=supervisor, tour=tour, name="第一组", leader_name="赵明远", leader_title="市委书记"
    )
    urban = tour.unit_groups.get(name="城区组")
    for i, code in enumerate(("SFS-MHQ", "SFS-QHQ")):
        county = Organisation.objects.get(code=code)
        services.add_unit(
            actor=supervisor, tour=tour, county=county, unit_group=urban, visit_group=group
        )
        project = Project.objects.filter(county=county, category__code="industry").first()
        services.add_site(
            actor=supervisor,
            tour=tour,
            project=project,
            visit_date=today,
            slot_start=dt.time(9 + i),
            slot_end=dt.time(9 + i, 40),
        )
    services.add_judge(
        actor=supervisor, tour=tour, user=User.objects.get(username="demo_judge"), group=group
    )
    return services.transition_tour(actor=supervisor, tour=tour, action="open")


def accept(dialog: Dialog) -> None:
    dialog.accept()


def score_site(page: Page, county: str, points: list[str]) -> None:
    page.locator(".insp-tour", has_text=TOUR_NAME).get_by_role(
        "link", name=re.compile(county)
    ).click()
    criteria = page.locator(".insp-criterion input")
    expect(criteria).to_have_count(len(points))
    for i, value in enumerate(points):
        criteria.nth(i).fill(value)
        criteria.nth(i).press("Tab")
    # The stepper: one click on the first criterion's "+" adds half a point.
    page.locator(".insp-criterion").first.get_by_role("button", name=re.compile("加0.5分")).click()
    expect(page.locator("#save-status")).to_contain_text("已保存")
    page.get_by_role("button", name="提交评分").click()
    expect(page).to_have_url(re.compile(r"/inspections/judge/$"))


def test_judge_scores_on_a_phone_and_the_organiser_publishes(
    page: Page, live_server: LiveServer, console: ConsoleLog, tour: Tour, artifacts: Path
) -> None:
    page.set_viewport_size(PHONE)
    page.on("dialog", accept)
    login(page, live_server, "demo_judge", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/inspections/judge/")
    section = page.locator(".insp-tour", has_text=TOUR_NAME)
    expect(section.locator(".insp-site-item")).to_have_count(2)

    section.get_by_role("link", name=re.compile("明湖区")).click()
    page.screenshot(path=str(artifacts / "inspections-phone-score.png"), full_page=True)
    # The total, the save status and the buttons stay in view at the top of the sheet and
    # after scrolling through it (sticky bar, 390×844).
    expect(page.locator("#save-status")).to_be_in_viewport()
    expect(page.get_by_role("button", name="提交评分")).to_be_in_viewport()
    page.locator(".insp-criterion").nth(3).scroll_into_view_if_needed()
    page.locator(".insp-criterion input").nth(3).fill("15")
    page.locator(".insp-criterion input").nth(3).press("Tab")
    expect(page.locator("#save-status")).to_be_in_viewport()
    expect(page.locator("#save-status")).to_contain_text("已保存")
    page.go_back()
    score_site(page, "明湖区", ["18", "17", "16", "15", "8", "9"])  # 83 + 0.5
    score_site(page, "清河区", ["19", "19", "18", "18", "9", "9"])  # 92 + 0.5
    expect(section.locator(".insp-badge", has_text="已提交")).to_have_count(2)

    # Nothing lost, nothing twice: 2 submitted cards with 6 scores each.
    cards = ScoreCard.objects.filter(site__tour=tour)
    assert sorted(cards.values_list("status", flat=True)) == ["submitted", "submitted"]
    assert Score.objects.filter(card__in=cards).count() == 12

    page.context.clear_cookies()
    login(page, live_server, "demo_supervisor", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/inspections/{tour.pk}/progress/")
    expect(page.locator("#submitted-count")).to_have_text("2")
    page.goto(f"{live_server.url}/inspections/{tour.pk}/")
    page.get_by_role("button", name="结束评分").click()
    page.get_by_role("button", name="发布结果").click()
    expect(page).to_have_url(re.compile(rf"/inspections/{tour.pk}/results/$"))
    ranking = page.locator("table.insp-ranking[data-group='城区组'] tbody tr")
    expect(ranking.nth(0).locator(".insp-unit")).to_have_text("清河区")
    expect(ranking.nth(0).locator(".insp-score")).to_have_text("92.50")
    expect(ranking.nth(0).locator(".insp-rank")).to_have_text("1")
    expect(ranking.nth(1).locator(".insp-unit")).to_have_text("明湖区")
    expect(ranking.nth(1).locator(".insp-score")).to_have_text("83.50")
    page.screenshot(path=str(artifacts / "inspections-results.png"), full_page=True)
    console.assert_clean()


def test_organiser_searches_sites_in_the_registry_and_cancels_before_the_start(
    page: Page, live_server: LiveServer, console: ConsoleLog
) -> None:
    worlds.demo_city()
    supervisor = User.objects.get(username="demo_supervisor")
    today = timezone.localdate()
    tour = services.create_tour(
        actor=supervisor, name="筹备中的观摩", period="测试", start_date=today, end_date=today
    )
    group = services.add_group(
        actor=supervisor, tour=tour, name="第一组", leader_name="赵明远", leader_title="市委书记"
    )
    county = Organisation.objects.get(code="SFS-MHQ")
    services.add_unit(
        actor=supervisor,
        tour=tour,
        county=county,
        unit_group=tour.unit_groups.get(name="城区组"),
        visit_group=group,
    )
    project = Project.objects.filter(county=county, category__code="industry").first()
    assert project is not None
    page.set_viewport_size({"width": 1366, "height": 768})
    page.on("dialog", accept)
    login(page, live_server, "demo_supervisor", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/inspections/{tour.pk}/")
    search = page.locator("input[name='project_code']")
    search.fill(project.name[2:6])  # a part of the name, not the exact name
    expect(page.locator("#site-options option").first).to_be_attached()
    expect(page.locator("#site-options")).to_contain_text(project.name)
    page.locator("#cancel-tour summary").click()
    page.locator("#cancel-reason").fill("与防汛工作冲突，改期举行")
    page.get_by_role("button", name="确认取消").click()
    expect(page.locator("#cancelled-message")).to_contain_text("与防汛工作冲突")
    expect(page.get_by_role("button", name="开始评分")).to_have_count(0)
    console.assert_clean()
