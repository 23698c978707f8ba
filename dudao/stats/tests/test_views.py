"""Pages and API of the statistics module, driven as a user would."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dudao.stats.models import IndicatorValue
from dudao.stats.tests.scenario import build_speech_city
from dudao.testing import World

pytestmark = pytest.mark.django_db


def client_for(world: World, actor: str) -> Client:
    client = Client()
    client.force_login(world.actor(actor))  # type: ignore[arg-type]
    return client


def test_the_overview_page_shows_the_speechs_sentences_and_table(world: World) -> None:
    build_speech_city(world)
    page = client_for(world, "city_leader").get(reverse("stats:summary"), {"period": "2021-06"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "低于全市固定资产投资增速2.4个百分点" in text
    assert "高于全市工业11.4个百分点，同比提高16.2个百分点" in text
    assert "按总量计算" in text


def test_the_overview_defaults_to_the_latest_approved_month(world: World) -> None:
    build_speech_city(world, codes=("fai",))
    page = client_for(world, "city_supervisor").get(reverse("stats:summary"))
    assert "2021年上半年，18家产业集聚区完成固定资产投资904.6亿元" in page.content.decode()


def test_a_county_user_sees_no_city_summary(world: World) -> None:
    page = client_for(world, "county_a_reviewer").get(reverse("stats:summary"))
    assert "没有市级汇总数据" in page.content.decode()
    assert (
        client_for(world, "county_a_reviewer")
        .get(reverse("stats:summary"), {"city": "SFS"})
        .status_code
        == 404
    )


def test_the_entry_grid_saves_submits_and_the_reviewer_approves(world: World) -> None:
    reporter = client_for(world, "park_reporter")
    url = reverse("stats:entry")
    unit = str(world.park_a.pk)
    response = reporter.post(
        url, {"unit": unit, "period": "2025-03", "fai-value": "1,250.5", "profit-value": "abc"}
    )
    assert response.status_code == 200
    assert "“abc”不是数字" in response.content.decode()
    assert IndicatorValue.objects.count() == 1  # the valid row is saved, the bad one shown
    response = reporter.post(url, {"unit": unit, "period": "2025-03", "profit-value": "80"})
    assert response.status_code == 302
    response = reporter.post(
        reverse("stats:transition"), {"unit": unit, "period": "2025-03", "action": "submit"}
    )
    assert response.status_code == 302
    assert set(IndicatorValue.objects.values_list("status", flat=True)) == {"submitted"}
    reviewer = client_for(world, "county_a_reviewer")
    reviewer.post(
        reverse("stats:transition"), {"unit": unit, "period": "2025-03", "action": "approve"}
    )
    assert set(IndicatorValue.objects.values_list("status", flat=True)) == {"approved"}
    page = reporter.get(url, {"unit": unit, "period": "2025-03"}).content.decode()
    assert "已审核" in page
    assert 'name="fai-value"' not in page


def test_the_entry_grid_is_404_for_a_unit_outside_scope(world: World) -> None:
    response = client_for(world, "county_b_reporter").get(
        reverse("stats:entry"), {"unit": world.park_a.pk}
    )
    assert response.status_code == 404


def test_the_grid_downloads_as_xlsx(world: World) -> None:
    response = client_for(world, "county_a_reviewer").get(
        reverse("stats:grid_export"), {"period": "2025-03"}
    )
    assert response.status_code == 200
    assert response.content.startswith(b"PK")


def test_the_upload_page_dry_runs_then_commits(world: World, settings: Any, tmp_path: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_DIR = tmp_path
    client = client_for(world, "city_supervisor")
    body = b"org_code,period,indicator,value,yoy,base\nSFS-A-P1,2025-03,fai,10,,\n"
    upload = SimpleUploadedFile("v.csv", body, content_type="text/csv")
    page = client.post(reverse("stats:grid_import"), {"kind": "indicators", "file": upload})
    assert "将新增 1 条" in page.content.decode()
    assert "第2行「value」列：疑似以亿元填报" in page.content.decode()  # 10万元 for a park
    assert not IndicatorValue.objects.exists()
    # 确认导入 posts the token, not the file; without a reason the magnitude check refuses
    token = page.context["flow"].token
    refused = client.post(reverse("stats:grid_import"), {"kind": "indicators", "token": token})
    assert "确认原因" in refused.content.decode()
    assert not IndicatorValue.objects.exists()
    client.post(
        reverse("stats:grid_import"),
        {"kind": "indicators", "token": token, "confirm_reason": "新设园区，已核实"},
    )
    assert IndicatorValue.objects.get().value == Decimal("10")


def test_the_api_saves_reviews_and_summarises(world: World) -> None:
    client = client_for(world, "city_supervisor")
    response = client.post(
        "/api/v1/stats/values/save",
        {"org_code": "SFS-A-P1", "period": "2025-03", "indicator": "fai", "value": "12.5"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    value_id = response.json()["id"]
    for action in ("submit", "approve"):
        response = client.post(
            f"/api/v1/stats/values/{value_id}/transition",
            {"action": action},
            content_type="application/json",
        )
        assert response.status_code == 200
    assert response.json()["status"] == "approved"
    response = client.post(
        f"/api/v1/stats/values/{value_id}/transition",
        {"action": "approve"},
        content_type="application/json",
    )
    assert response.status_code == 409
    bad = client.post(
        "/api/v1/stats/values/save",
        {"org_code": "SFS-A-P1", "period": "2099-03", "indicator": "fai", "value": "1"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "未来月份" in bad.json()["error"]["message"]


def test_the_api_imports_the_long_csv_all_or_nothing(world: World) -> None:
    client = client_for(world, "city_supervisor")
    body = (
        "org_code,period,indicator,value,yoy,base\nSFS-A-P1,2025-03,fai,10,,\nX,2025-03,fai,1,,\n"
    )
    response = client.post("/api/v1/stats/values/import", body, content_type="text/csv")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["row"] == 3
    assert not IndicatorValue.objects.exists()


def test_the_api_summary_returns_figures_and_sentences(world: World) -> None:
    build_speech_city(world, codes=("profit",))
    response = client_for(world, "city_leader").get(
        "/api/v1/stats/summary", {"city": "SFS", "period": "2021-06"}
    )
    data = response.json()
    assert data["indicators"][0]["gap_points"] == "11.4"
    assert "同比提高16.2个百分点" in data["sentences"][0]
    assert (
        client_for(world, "county_a_reporter")
        .get("/api/v1/stats/summary", {"city": "SFS", "period": "2021-06"})
        .status_code
        == 404
    )


def test_the_park_profile_shows_share_rank_growth_and_chart(world: World) -> None:
    parks = build_speech_city(world, codes=("fai",))
    client = client_for(world, "park_reporter")
    page = client.get(reverse("parks:detail", args=[parks[0].pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "2021年上半年" in text
    assert "同比增长13.2%" in text  # each park grew as the total did
    assert "第2位/18家" in text  # 17 equal shares tie behind the last park (remainder)
    assert "park-chart-data" in text
    data = client.get(f"/api/v1/parks/{parks[0].pk}/profile").json()
    fai = next(r for r in data["indicators"] if r["indicator"] == "fai")
    assert fai["share_of_city"] == "2.6%"
    assert list(fai["series"]) == ["2019-06", "2020-06", "2021-06"]
    assert client.get(reverse("parks:detail", args=[parks[1].pk])).status_code == 404


def test_the_api_answers_someone_elses_unit_exactly_like_a_missing_one(world: World) -> None:
    """Scope before existence (issue 10): a unit code outside the caller's scope and a code
    that does not exist get the same 404, so the answer does not tell that the code exists."""
    client = client_for(world, "county_b_reporter")
    answers = [
        client.post(
            "/api/v1/stats/values/save",
            {"org_code": code, "period": "2025-03", "indicator": "fai", "value": "1"},
            content_type="application/json",
        )
        for code in (world.park_a.code, "NO-SUCH-UNIT")
    ]
    assert [a.status_code for a in answers] == [404, 404]
    assert answers[0].json() == answers[1].json()
    assert not IndicatorValue.objects.exists()


def test_the_review_queue_lists_submitted_months_in_scope_oldest_first(world: World) -> None:
    from dudao.stats.tests.scenario import speech_parks

    speech_parks(world)
    reporter = client_for(world, "park_reporter")
    for period in ("2025-03", "2025-04"):
        reporter.post(
            reverse("stats:entry"),
            {"unit": world.park_a.pk, "period": period, "fai-value": "125000"},
        )
        reporter.post(
            reverse("stats:transition"),
            {"unit": world.park_a.pk, "period": period, "action": "submit"},
        )
    assert IndicatorValue.objects.filter(status="submitted").count() == 2
    page = client_for(world, "county_a_reviewer").get(reverse("stats:review"))
    rows = list(page.context["page"])
    assert [(r["organisation__code"], f"{r['period']:%Y-%m}", r["count"]) for r in rows] == [
        ("SFS-A-P1", "2025-03", 1),
        ("SFS-A-P1", "2025-04", 1),
    ]
    text = page.content.decode()
    assert f"?unit={world.park_a.pk}&amp;period=2025-03" in text
    newest = client_for(world, "county_a_reviewer").get(
        reverse("stats:review"), {"sort": "-period"}
    )
    assert f"{next(iter(newest.context['page']))['period']:%Y-%m}" == "2025-04"
    other = client_for(world, "county_b_reporter").get(reverse("stats:review"))
    assert other.status_code == 403
    assert "指标审核" in page.content.decode()


def test_a_park_committee_sees_its_own_figures_share_and_rank(world: World) -> None:
    build_speech_city(world, codes=("fai",))
    page = client_for(world, "park_reporter").get(reverse("stats:summary"))
    text = page.content.decode()
    assert "没有市级汇总数据" not in text
    assert "本园区指标、占全市比重与全市园区排名" in text
    assert [p.organisation_id for p in page.context["own_parks"]] == [world.park_a.pk]
    assert "/18家" in text  # rank among the city's 18 parks (core/ranks)
    assert "占全市" in text


def test_the_entry_page_warns_of_a_city_total_typed_in_yi(world: World) -> None:
    client = client_for(world, "city_supervisor")
    response = client.post(
        reverse("stats:entry"),
        {"unit": world.city.pk, "period": "2025-06", "fai-value": "1924.7"},
        follow=True,
    )
    assert "请核对：疑似以亿元填报" in response.content.decode()
