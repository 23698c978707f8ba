"""Pages and API of 观摩督导 through the test client: the phone save API (idempotent retries,
Chinese refusals), publication from the page, county visibility, Excel, query counts, and
the provincial results import."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from dudao.core.imports import ImportRejected
from dudao.core.xlsx import Column, Sheet, workbook_bytes
from dudao.inspections import services
from dudao.inspections.importers import import_provincial
from dudao.inspections.models import Criterion, ProvincialResult, Score, ScoreCard, Site
from dudao.inspections.tests.factories import (
    DAY,
    TourWorld,
    full_scores,
    make_project,
    make_tour_world,
    score_and_submit,
)
from dudao.testing import World

pytestmark = pytest.mark.django_db


def save(client: Client, site: Site, body: dict[str, object]) -> object:
    return client.post(
        reverse("api:inspection_card_save", kwargs={"site_id": site.pk}),
        json.dumps(body),
        content_type="application/json",
    )


def test_the_phone_api_saves_idempotently_and_refuses_in_chinese(
    client: Client, world: World
) -> None:
    tw = make_tour_world(world)
    client.force_login(world.judge)
    scores = {str(k): v for k, v in full_scores(tw.site_a, "10").items()}
    body = {"scores": scores, "key": "abc", "seq": 5, "comment": "现场整洁"}
    first = save(client, tw.site_a, body)
    again = save(client, tw.site_a, body)  # the retry of a lost answer
    assert first.status_code == again.status_code == 200  # type: ignore[attr-defined]
    assert again.json()["seq"] == 5  # type: ignore[attr-defined]
    assert Score.objects.filter(card__site=tw.site_a).count() == 6
    criterion = next(iter(scores))
    over = save(client, tw.site_a, {"scores": {criterion: "20.5"}, "key": "x", "seq": 6})
    assert over.status_code == 400  # type: ignore[attr-defined]
    assert over.json()["error"]["message"] == "“项目规模”得分20.5分，超过满分20.0分。"  # type: ignore[attr-defined]
    submit = client.post(reverse("api:inspection_card_submit", kwargs={"site_id": tw.site_a.pk}))
    assert submit.json()["status"] == "submitted"
    late = save(client, tw.site_a, {"scores": {criterion: "1"}, "key": "late", "seq": 7})
    assert late.status_code == 409  # type: ignore[attr-defined]
    assert "评分表已关闭" in late.json()["error"]["message"]  # type: ignore[attr-defined]


def test_the_api_refuses_a_judge_of_the_county_with_403(client: Client, world: World) -> None:
    tw = make_tour_world(world)
    client.force_login(tw.county_a_judge_user)
    response = save(client, tw.site_a, {"scores": {}, "key": "k"})
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert response.json()["error"]["message"] == (  # type: ignore[attr-defined]
        "按回避规定，评委不能为本人所在的甲县人民政府评分。"
    )
    page = client.get(reverse("inspections:score", kwargs={"site_pk": tw.site_a.pk}))
    assert "按回避规定" in page.content.decode()
    assert 'id="score-form"' not in page.content.decode()


def test_a_judge_without_a_seat_gets_404_for_the_site(client: Client, world: World) -> None:
    from dudao.accounts.roles import Role
    from dudao.testing import add_user

    tw = make_tour_world(world, county_judge=False)
    outsider = add_user(world, world.city, Role.JUDGE)
    client.force_login(outsider)
    response = client.get(reverse("inspections:score", kwargs={"site_pk": tw.site_a.pk}))
    assert response.status_code == 404
    assert save(client, tw.site_a, {"scores": {}}).status_code == 404  # type: ignore[attr-defined]


def _published(world: World) -> TourWorld:
    tw = make_tour_world(world)
    score_and_submit(world.judge, tw.site_a, "9")
    score_and_submit(world.judge, tw.site_b, "8")
    score_and_submit(tw.county_a_judge_user, tw.site_b, "10")
    return tw


def test_the_organiser_publishes_from_the_page_and_counties_see_the_ranking(
    client: Client, world: World
) -> None:
    tw = _published(world)
    client.force_login(world.city_supervisor)
    url = reverse("inspections:transition", kwargs={"pk": tw.tour.pk})
    client.post(url, {"action": "close"})
    response = client.post(url, {"action": "publish"}, follow=True)
    text = response.content.decode()
    assert "观摩结果已发布并锁定" in text
    assert "54.00" in text
    client.force_login(world.county_b_reporter)
    page = client.get(reverse("inspections:results", kwargs={"pk": tw.tour.pk})).content.decode()
    assert page.count("insp-unit") == 2  # both units' score and rank
    api = client.get(reverse("api:inspection_tour_results", kwargs={"tour_id": tw.tour.pk}))
    rows = {r["county"]: r for r in api.json()["results"]}
    assert rows["乙县人民政府"]["details"]["sites"][0]["kept"] == 2  # its own calculation
    assert rows["甲县人民政府"]["details"] == {}  # not another county's


def test_results_are_hidden_from_counties_before_publication(client: Client, world: World) -> None:
    tw = _published(world)
    client.force_login(world.county_a_reviewer)
    page = client.get(reverse("inspections:results", kwargs={"pk": tw.tour.pk}))
    assert page.status_code == 404  # the whole tour is hidden from counties until published
    client.force_login(world.city_leader)
    page = client.get(reverse("inspections:results", kwargs={"pk": tw.tour.pk}))
    assert "实时计算的预览" in page.content.decode()


def test_the_summary_exports_to_excel(client: Client, world: World) -> None:
    tw = _published(world)
    client.force_login(world.city_leader)
    summary = client.get(reverse("inspections:summary", kwargs={"pk": tw.tour.pk}))
    assert "实地查看了全市2个产业项目，覆盖2个县（市、区）" in summary.content.decode()
    response = client.get(reverse("inspections:export", kwargs={"pk": tw.tour.pk}))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["分县汇总", "排名", "观摩路线"]
    rows = list(book["分县汇总"].iter_rows(values_only=True))
    assert rows[0][0].startswith("实地查看了全市2个产业项目")
    assert rows[-1][:3] == ("合计", 2, 0)


def test_the_progress_view_shows_who_scored_what(client: Client, world: World) -> None:
    tw = make_tour_world(world)
    services.save_card(actor=world.judge, site=tw.site_a, scores={})
    score_and_submit(world.judge, tw.site_b)
    client.force_login(world.city_supervisor)
    page = client.get(
        reverse("inspections:progress", kwargs={"pk": tw.tour.pk}), headers={"HX-Request": "true"}
    ).content.decode()
    assert page.count("✓ 已提交") == 1
    assert page.count("0/6 项") == 1
    assert page.count("回避") == 1  # the county-A judge at the county-A site


def test_the_photo_is_re_encoded_and_served_in_scope(client: Client, world: World) -> None:
    from PIL import Image

    tw = make_tour_world(world, county_judge=False)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(buffer, "PNG")
    client.force_login(world.judge)
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "现场.png"
    client.post(reverse("inspections:photo", kwargs={"site_pk": tw.site_a.pk}), {"photo": upload})
    card = ScoreCard.objects.get(site=tw.site_a)
    assert card.photo.name.endswith(".jpg")
    response = client.get(reverse("inspections:card_photo", kwargs={"pk": card.pk}))
    assert response.status_code == 200
    client.force_login(world.county_b_reporter)  # not a viewer role
    assert client.get(reverse("inspections:card_photo", kwargs={"pk": card.pk})).status_code == 403


# --- Provincial results import ---------------------------------------------------------------


def provincial_file(rows: list[list[object]]) -> bytes:
    columns = [
        Column(h) for h in ("年度", "观摩活动", "代表单位", "名次", "参评单位数", "得分", "备注")
    ]
    return workbook_bytes([Sheet("全省观摩结果", columns, rows)])


def test_the_provincial_import_is_all_or_nothing_and_idempotent(world: World) -> None:
    data = provincial_file(
        [
            [2025, "全省产业集聚区观摩活动", "示范市高新区", 1, 18, 95.01, ""],
            [2024, "全省产业集聚区观摩活动", "示范市经开区", 4, 18, None, ""],
        ]
    )
    first = import_provincial(data, filename="a.xlsx", actor=world.city_supervisor, dry_run=False)
    assert (first.created, first.updated) == (2, 0)
    second = import_provincial(data, filename="a.xlsx", actor=world.city_supervisor, dry_run=False)
    assert second.changed == 0
    assert "完全一致" in second.summary()
    bad = provincial_file(
        [
            [2026, "全省产业集聚区观摩活动", "示范市高新区", 20, 18, None, ""],
            [1999, "全省产业集聚区观摩活动", "示范市经开区", 1, 18, None, ""],
        ]
    )
    with pytest.raises(ImportRejected) as caught:
        import_provincial(bad, filename="b.xlsx", actor=world.city_supervisor, dry_run=False)
    assert [str(e) for e in caught.value.errors] == [
        "第2行「名次」列：名次 20 大于参评单位数 18。",
        "第3行「年度」列：不能小于 2000，实为 1999.0。",
    ]
    assert ProvincialResult.objects.count() == 2


def test_the_planning_page_adds_a_site_by_project_code(client: Client, world: World) -> None:
    tw = make_tour_world(world, open_scoring=False, county_judge=False)
    project = make_project(world.county_b, category="urban")
    project.code = "2509-320193-89-01-544060"
    project.save()
    client.force_login(world.city_supervisor)
    client.post(
        reverse("inspections:plan_add", kwargs={"pk": tw.tour.pk}),
        {
            "what": "site",
            "project_code": project.code,
            "visit_date": (DAY + dt.timedelta(days=1)).isoformat(),
            "slot_start": "10:00",
            "slot_end": "10:30",
            "presenter_name": "乙县县长",
        },
    )
    site = Site.objects.get(tour=tw.tour, project=project)
    assert site.sheet.code == "urban"
    assert Criterion.objects.filter(sheet=site.sheet).count() == 5


def test_the_planning_page_and_schedule_render_for_the_organiser(
    client: Client, world: World
) -> None:
    tw = make_tour_world(world, open_scoring=False, county_judge=False)
    client.force_login(world.city_supervisor)
    page = client.get(reverse("inspections:detail", kwargs={"pk": tw.tour.pk})).content.decode()
    for label in ("添加观摩组", "添加参评单位", "添加观摩点位", "添加评委", "开始评分"):
        assert label in page
    schedule = client.get(reverse("inspections:schedule", kwargs={"pk": tw.tour.pk}))
    text = schedule.content.decode()
    assert "第一组（市委书记张某带队）" in text
    assert "09:00–09:40" in text


def test_the_judges_phone_list_puts_the_tour_being_scored_first(
    client: Client, world: World
) -> None:
    """Issue 14: a tour in preparation (newer) must not push today's active tour down."""
    scoring = make_tour_world(world, county_judge=False)
    later = make_tour_world(world, open_scoring=False, county_judge=False)

    type(scoring.tour).objects.filter(pk=later.tour.pk).update(
        start_date=DAY + dt.timedelta(days=30), end_date=DAY + dt.timedelta(days=31)
    )
    score_and_submit(world.judge, scoring.site_a)
    client.force_login(world.judge)
    page = client.get(reverse("inspections:judge_home")).content.decode()
    assert page.index(scoring.tour.name) < page.index(later.tour.name)
    # Each tour lists its own two sites; the submitted card shows on the scoring tour only.
    assert page.count("已提交") == 1
    assert page.count("未评") == 3
