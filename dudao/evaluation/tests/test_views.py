"""Pages and API: the comparison with our city highlighted, configuration, the input grid,
results with how a score was made, uploads, and query counts that do not grow with parks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dudao.core.xlsx import workbook_bytes
from dudao.evaluation import importers, services
from dudao.evaluation.models import Indicator, InputValue, Regime, Result, StarAward
from dudao.evaluation.services import PublishedRow, StarRow
from dudao.evaluation.tests.factories import make_park, make_parks, make_regime
from dudao.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def province(world: World) -> Regime:
    """Published 2020 and 2021 rankings: our 高新区 (示范市's tree), parks of 郑州 and 焦作."""
    sup = world.city_supervisor
    regime = make_regime(sup)
    ours = make_park(name="示范市高新区", city=None, organisation=world.park_a)
    zz = make_parks(4, "410100")
    jz = make_parks(8, "410800")
    parks = [ours, *zz, *jz]
    order_2020 = [*zz, ours, *jz]
    order_2021 = [zz[0], ours, zz[1], zz[2], *jz[:6], zz[3], *jz[6:]]
    for year, order in ((2020, order_2020), (2021, order_2021)):
        rows = [PublishedRow(p, Decimal(100 - i), i + 1) for i, p in enumerate(order)]
        services.publish_results(actor=sup, regime=regime, year=year, rows=rows)
    services.import_stars(
        actor=sup,
        rows=[StarRow(regime, 2021, p, 2) for p in [ours, zz[0], zz[1], jz[0], jz[1], jz[2]]],
    )
    assert len(parks) == 13
    return regime


def test_comparison_highlights_our_city_and_counts_per_city(
    client: Client, world: World, province: Regime
) -> None:
    client.force_login(world.county_a_reporter)
    response = client.get(
        reverse("evaluation:comparison"), {"regime": province.code, "year": "2021", "stars": "2"}
    )
    assert response.status_code == 200
    rows = {r.label: r for r in response.context["rows"]}
    assert next(iter(rows)) == "示范市"  # our city first
    assert rows["示范市"].ours
    assert (rows["示范市"].counts["strong"], rows["示范市"].starred) == (1, 1)
    assert (rows["郑州市"].counts["strong"], rows["郑州市"].starred) == (3, 2)
    assert rows["焦作市"].counts["strong"] == 6
    chart = response.context["chart"]
    assert chart["ours"][0] is True
    assert chart["series"][0] == {"name": "十强", "data": [1, 6, 3]}  # by 十强, then stars
    html = response.content.decode()
    assert 'class="ours"' in html
    assert 'id="comparison-data"' in html


def test_fast_titles_come_from_published_ranks(world: World, province: Regime) -> None:
    fast = Result.objects.filter(year=2021, rank_gain__gt=0).order_by("-rank_gain")
    assert fast.first().rank_gain == 3  # type: ignore[union-attr]


def test_province_parks_page_shows_three_years(
    client: Client, world: World, province: Regime
) -> None:
    client.force_login(world.city_leader)
    response = client.get(reverse("evaluation:parks"), {"regime": province.code, "year": "2021"})
    assert response.status_code == 200
    assert response.context["years"] == [2019, 2020, 2021]
    first, cells = response.context["rows"][0]
    assert first.city.ours
    assert [c.get("rank") for c in cells] == [None, 5, 2]
    only = client.get(
        reverse("evaluation:parks"), {"regime": province.code, "year": "2021", "city": "410800"}
    )
    assert {r.city.label for r, _ in only.context["rows"]} == {"焦作市"}


def test_results_page_and_breakdown(client: Client, world: World) -> None:
    sup = world.city_supervisor
    regime = make_regime(sup)
    a, b = make_parks(2)
    services.set_inputs(
        actor=sup,
        regime=regime,
        year=2020,
        values={(a.pk, "tax"): Decimal(12), (b.pk, "tax"): Decimal(10), (a.pk, "env"): Decimal(2)},
    )
    client.force_login(sup)
    response = client.post(reverse("evaluation:compute", args=[regime.pk, 2020]))
    assert response.status_code == 302
    page = client.get(reverse("evaluation:results", args=[regime.pk, 2020]))
    assert "十强" in page.content.decode()
    result = Result.objects.get(park=a)
    detail = client.get(reverse("evaluation:result_detail", args=[result.pk])).content.decode()
    assert "12 ÷ 基准值 10 × 权重 60 = 72" in detail
    assert "2 次 × -0.5 分 = -1" in detail
    assert "<td>与基准值之比</td>" in detail
    assert "指标得分合计 72.0000 + 加分 0 − 减分 1.0000 = 71.00" in detail
    api = client.get(reverse("api:evaluation_result_detail", args=[result.pk])).json()
    assert api["score"] == "71.0000"
    assert api["detail"]["items"][0]["formula"] == "12 ÷ 基准值 10 × 权重 60 = 72"


def test_input_grid_saves_changes_and_refuses_text(client: Client, world: World) -> None:
    sup = world.city_supervisor
    regime = make_regime(sup)
    (a,) = make_parks(1)
    client.force_login(sup)
    url = reverse("evaluation:inputs", args=[regime.pk, 2020])
    response = client.post(url, {f"v-{a.pk}-tax": "约12"})
    assert response.status_code == 400
    assert "应为数字，实为「约12」" in response.content.decode()
    assert 'value="约12"' in response.content.decode()  # what was typed stays in the grid
    assert not InputValue.objects.exists()
    response = client.post(url, {f"v-{a.pk}-tax": "1,234.5", f"v-{a.pk}-fai": ""})
    assert response.status_code == 302
    assert InputValue.objects.get().value == Decimal("1234.5")


def test_configuration_from_the_regime_page(client: Client, world: World) -> None:
    sup = world.city_supervisor
    regime = make_regime(sup)
    client.force_login(sup)
    config = reverse("evaluation:regime_config", args=[regime.pk])
    client.post(config, {"op": "dimension", "name": "绿色发展"})
    assert regime.dimensions.filter(name="绿色发展").exists()
    response = client.post(
        reverse("evaluation:indicator_create", args=[regime.pk]),
        {
            "code": "inv",
            "name": "年度投资",
            "method": "tiered",
            "weight": "20",
            "tiers": "100000,20\n50000，10\n10000 6\n0,3",
        },
    )
    assert response.status_code == 302
    assert Indicator.objects.get(code="inv").params == {
        "tiers": [["100000", "20"], ["50000", "10"], ["10000", "6"], ["0", "3"]]
    }
    bad = client.post(
        reverse("evaluation:indicator_create", args=[regime.pk]),
        {"code": "r", "name": "比值", "method": "ratio", "weight": "10", "benchmark": "0"},
    )
    assert "基准值必须大于0。" in bad.content.decode()
    client.post(config, {"op": "star", "level": "2", "min_score": "80"})
    assert regime.star_rules.get().min_score == Decimal(80)
    indicator = Indicator.objects.get(code="inv")
    client.post(config, {"op": "delete_indicator", "id": str(indicator.pk)})
    assert not Indicator.objects.filter(code="inv").exists()


def test_stale_regime_edit_answers_409(client: Client, world: World) -> None:
    sup = world.city_supervisor
    regime = make_regime(sup)
    client.force_login(sup)
    form = {
        "code": regime.code,
        "name": "改名",
        "first_year": "2019",
        "strong_size": "10",
        "fast_size": "10",
        "fast_min_gain": "1",
        "score_decimals": "2",
        "star_max": "6",
        "version": "1",
    }
    assert client.post(reverse("evaluation:regime_edit", args=[regime.pk]), form).status_code == 302
    response = client.post(reverse("evaluation:regime_edit", args=[regime.pk]), form)
    assert response.status_code == 409
    assert "该考评体系已被他人修改" in response.content.decode()


def test_upload_page_dry_run_and_import(client: Client, world: World) -> None:
    sup = world.city_supervisor
    regime = make_regime(sup)
    (a,) = make_parks(1)
    data = workbook_bytes(
        importers.template_sheets("evaluation-stars", [[regime.code, 2021, a.code, 3, "", ""]])
    )
    client.force_login(sup)

    form = {"kind": "evaluation-stars", "file": SimpleUploadedFile("s.xlsx", data)}
    dry = client.post(reverse("evaluation:import"), form)
    assert "将新增 1 条" in dry.content.decode()
    assert not StarAward.objects.exists()
    token = dry.context["flow"].token
    done = client.post(reverse("evaluation:import"), {"kind": "evaluation-stars", "token": token})
    assert "已新增 1 条" in done.content.decode()
    assert StarAward.objects.get().level == 3
    text = client.post(
        reverse("evaluation:import"),
        {"kind": "evaluation-stars", "file": SimpleUploadedFile("s.xlsx", b"not excel")},
    )
    assert text.status_code == 400
    assert "文件不是 Excel（.xlsx）格式" in text.content.decode()


def test_api_comparison_and_ranking(client: Client, world: World, province: Regime) -> None:
    client.force_login(world.judge)
    body = client.get(
        reverse("api:evaluation_comparison", args=[province.code, 2021]), {"min_stars": 2}
    ).json()
    assert body["cities"][0] == {
        "city": "示范市",
        "our_city": True,
        "parks": 1,
        "strong": 1,
        "fast": 1,  # 5th → 2nd: among the ten largest gains
        "advanced": 0,
        "excellent": 0,
        "starred": 1,
        "best_rank": 2,
    }
    ranking = client.get(reverse("api:evaluation_ranking", args=[province.code, 2021])).json()
    assert ranking["source"] == "imported"
    assert ranking["rows"][1]["park_name"] == "示范市高新区"
    assert ranking["rows"][1]["prev_rank"] == 5
    assert ranking["rows"][1]["titles"] == ["十强", "十快"]


def test_administrators_see_no_evaluation_data(
    client: Client, world: World, province: Regime
) -> None:
    client.force_login(world.sysadmin)
    assert client.get(reverse("api:evaluation_regime_list")).status_code == 403
