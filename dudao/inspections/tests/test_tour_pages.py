"""Issue 14 item 10 on the pages: edit and cancel before the start, the site search over the
registry, the publish warning with the missing sheets and the reason, the judge's list order."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from dudao.audit.models import AuditEvent
from dudao.inspections import selectors, services
from dudao.inspections.models import Tour
from dudao.inspections.tests.factories import (
    make_project,
    make_tour,
    make_tour_world,
    score_and_submit,
)
from dudao.testing import World

pytestmark = pytest.mark.django_db


def test_a_tour_is_edited_and_cancelled_before_it_starts(client: Client, world: World) -> None:
    tour = make_tour(world)
    client.force_login(world.city_supervisor)
    url = f"/inspections/{tour.pk}/edit/"
    page = client.get(url)
    assert page.status_code == 200
    assert "修改观摩活动" in page.content.decode()
    form = {
        "name": "改名后的观摩", "period": tour.period, "level": tour.level,
        "start_date": "2026-07-16", "end_date": "2026-07-17", "method": tour.method,
        "trim_k": 1, "min_judges_for_trim": 5, "county_weight": "0", "finding_threshold": "0.6",
        "version": tour.version,
    }  # fmt: skip
    assert client.post(url, form).status_code == 302
    tour.refresh_from_db()
    assert (tour.name, tour.start_date) == ("改名后的观摩", dt.date(2026, 7, 16))
    stale = client.post(url, {**form, "name": "又改"})  # the old version
    assert "已被他人修改" in stale.content.decode()
    cancel = f"/inspections/{tour.pk}/cancel/"
    client.post(cancel, {"reason": "", "version": tour.version})
    assert Tour.objects.get(pk=tour.pk).status == Tour.Status.PLANNING
    client.post(cancel, {"reason": "与防汛工作冲突，改期举行", "version": tour.version})
    tour.refresh_from_db()
    assert tour.status == Tour.Status.CANCELLED
    event = AuditEvent.objects.get(action="inspections.tour.cancel")
    assert event.reason == "与防汛工作冲突，改期举行"
    detail = client.get(f"/inspections/{tour.pk}/").content.decode()
    assert "本次观摩已取消。取消原因：与防汛工作冲突，改期举行" in detail
    assert "开始评分" not in detail


def test_edit_and_cancel_are_refused_after_the_start(client: Client, world: World) -> None:
    tw = make_tour_world(world)
    client.force_login(world.city_supervisor)
    page = client.post(f"/inspections/{tw.tour.pk}/cancel/", {"reason": "改期"}, follow=True)
    assert "观摩活动已开始评分，不能取消。" in page.content.decode()
    assert Tour.objects.get(pk=tw.tour.pk).status == Tour.Status.SCORING
    form = {
        "name": "新名", "period": tw.tour.period, "level": tw.tour.level,
        "start_date": tw.tour.start_date, "end_date": tw.tour.end_date, "method": tw.tour.method,
        "trim_k": 1, "min_judges_for_trim": 5, "county_weight": "0", "finding_threshold": "0.6",
        "version": Tour.objects.get(pk=tw.tour.pk).version,
    }  # fmt: skip
    page = client.post(f"/inspections/{tw.tour.pk}/edit/", form)
    assert "已开始评分，不能再修改" in page.content.decode()
    client.force_login(world.county_a_reporter)
    assert client.get(f"/inspections/{tw.tour.pk}/edit/").status_code in (403, 404)


def test_the_site_search_finds_registry_projects_by_part_of_name_or_code(
    client: Client, world: World
) -> None:
    tw = make_tour_world(world, open_scoring=False)
    wanted = make_project(world.county_b)
    wanted.name = "乙县新能源电池产业园"
    wanted.code = "2026-411600-38-01-123456"
    wanted.save(update_fields=["name", "code"])
    client.force_login(world.city_supervisor)
    url = f"/inspections/{tw.tour.pk}/projects/"
    by_name = client.get(url, {"project_code": "电池"}).content.decode()
    assert "乙县新能源电池产业园" in by_name
    assert f'value="{wanted.code}"' in by_name
    by_code = client.get(url, {"project_code": "123456"}).content.decode()
    assert "乙县新能源电池产业园" in by_code
    on_route = client.get(url, {"project_code": tw.site_a.title}).content.decode()
    assert tw.site_a.title not in on_route  # already on the route
    assert client.get(url, {"project_code": ""}).content.decode().strip() == ""
    page = client.get(f"/inspections/{tw.tour.pk}/").content.decode()
    assert 'list="site-options"' in page
    client.force_login(world.county_b_reporter)
    assert client.get(url, {"project_code": "电池"}).status_code in (403, 404)


def test_publish_lists_the_missing_sheets_and_needs_a_reason(client: Client, world: World) -> None:
    tw = make_tour_world(world)
    score_and_submit(world.judge, tw.site_a, "9")
    score_and_submit(world.judge, tw.site_b, "8")
    services.transition_tour(actor=world.city_supervisor, tour=tw.tour, action="close")
    client.force_login(world.city_supervisor)
    page = client.get(f"/inspections/{tw.tour.pk}/").content.decode()
    assert "还有 1 张评分表未提交" in page
    assert f"{tw.county_a_judge_user.full_name}：{tw.site_b.title}" in page
    url = f"/inspections/{tw.tour.pk}/transition/"
    page = client.post(url, {"action": "publish"}, follow=True).content.decode()
    assert "还有1张评分表未提交" in page
    assert Tour.objects.get(pk=tw.tour.pk).status == Tour.Status.CLOSED
    client.post(url, {"action": "publish", "reason": "该评委临时公出"})
    tour = Tour.objects.get(pk=tw.tour.pk)
    assert tour.status == Tour.Status.PUBLISHED
    assert tour.publish_note == "该评委临时公出"
    assert AuditEvent.objects.get(action="inspections.tour.publish").reason == "该评委临时公出"


def test_the_judges_list_puts_todays_active_tour_first(client: Client, world: World) -> None:
    today = timezone.localdate()
    later = make_tour_world(world, open_scoring=False, county_judge=False)
    Tour.objects.filter(pk=later.tour.pk).update(
        start_date=today - dt.timedelta(days=3), end_date=today + dt.timedelta(days=30)
    )
    active = make_tour_world(world, county_judge=False)
    Tour.objects.filter(pk=active.tour.pk).update(start_date=today, end_date=today)
    order = [seat.tour_id for seat in selectors.judge_agenda(world.judge, today)]
    assert order == [active.tour.pk, later.tour.pk]
    client.force_login(world.judge)
    page = client.get("/inspections/judge/").content.decode()
    assert page.index(active.tour.name) < page.index(later.tour.name)
