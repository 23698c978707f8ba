"""The API and the pages: scope (another county's deal is 404), Chinese 400s, 409 on a stale
version, the board's counts and amounts, "—" for a zero denominator, the export."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dudao.investment.models import Deal, Stage
from dudao.investment.tests.factories import EXAMPLE, make_deal, walk
from dudao.testing import World

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_a_county_sees_its_own_deals_only(world: World) -> None:
    own = make_deal(world)
    other = make_deal(world, world.county_b_drc, name="乙县食品项目")
    county = _client(world.county_a_reporter)
    listed = county.get("/api/v1/deals").json()
    assert [d["id"] for d in listed["items"]] == [own.pk]
    assert county.get(f"/api/v1/deals/{other.pk}").status_code == 404
    assert county.get(reverse("investment:detail", args=[other.pk])).status_code == 404
    city = _client(world.city_supervisor)
    assert {d["id"] for d in city.get("/api/v1/deals").json()["items"]} == {own.pk, other.pk}


def test_create_and_move_a_deal_through_the_api(world: World) -> None:
    client = _client(world.county_a_reporter)
    response = _post(
        client,
        "/api/v1/deals",
        {
            "name": "示范装备产业园",
            "investor": "示范重工",
            "responsible_org_id": world.county_a_drc.pk,
            **{k: str(v) for k, v in EXAMPLE.items()},
        },
    )
    assert response.status_code == 201, response.content
    deal = response.json()
    assert deal["stage"] == "lead"
    url = f"/api/v1/deals/{deal['id']}/transitions"
    response = _post(client, url, {"action": "advance", "version": deal["version"]})
    assert response.status_code == 200
    deal = response.json()
    response = _post(
        client, url, {"action": "advance", "version": deal["version"], "evidence": "正式合同"}
    )
    assert response.status_code == 400
    assert "协议类型" in response.json()["error"]["message"]
    response = _post(
        client,
        url,
        {
            "action": "advance",
            "version": deal["version"] + 3,
            "evidence": "合同",
            "agreement_type": "formal",
        },
    )
    assert response.status_code == 409
    response = _post(
        client,
        url,
        {
            "action": "advance",
            "version": deal["version"],
            "evidence": "合同",
            "agreement_type": "formal",
        },
    )
    assert response.status_code == 200
    deal = response.json()
    assert deal["stage"] == "signed"
    assert deal["screening"] == "failed"
    assert any(not c["passed"] and "亩均税收" in c["message"] for c in deal["checks"])
    response = _post(
        client,
        f"/api/v1/deals/{deal['id']}/override",
        {"version": deal["version"], "reason": "同意"},
    )
    assert response.status_code == 403
    supervisor = _client(world.city_supervisor)
    response = _post(
        supervisor,
        f"/api/v1/deals/{deal['id']}/override",
        {"version": deal["version"], "reason": "市政府同意"},
    )
    assert response.status_code == 200
    assert response.json()["screening"] == "overridden"


def test_bad_numbers_are_a_422_not_a_500(world: World) -> None:
    client = _client(world.county_a_reporter)
    response = _post(
        client,
        "/api/v1/deals",
        {
            "name": "x",
            "investor": "y",
            "responsible_org_id": world.county_a_drc.pk,
            "contract_investment": "1e300",
        },
    )
    assert response.status_code == 422
    response = _post(
        client, "/api/v1/deals", {"name": "x", "investor": "y", "responsible_org_id": 2**62}
    )
    assert response.status_code == 404
    assert not Deal.objects.exists()


def test_the_board_counts_and_sums_by_stage(world: World) -> None:
    walk(world, make_deal(world), Stage.SIGNED)
    walk(world, make_deal(world, contract_investment="600000"), Stage.SIGNED)
    make_deal(world)
    make_deal(world, world.county_b_drc)
    board = {
        c["stage"]: c for c in _client(world.county_a_reporter).get("/api/v1/deal-board").json()
    }
    assert board["signed"]["count"] == 2
    assert Decimal(board["signed"]["amount_wan"]) == Decimal("650000")
    assert board["lead"]["count"] == 1
    big = {
        c["stage"]: c
        for c in _client(world.city_supervisor).get("/api/v1/deal-board?band=50").json()
    }
    assert big["signed"]["count"] == 1
    assert big["lead"]["count"] == 0
    page = _client(world.county_a_reporter).get(reverse("investment:board"))
    assert page.status_code == 200
    assert "65.00 亿元" in page.content.decode()


def test_figures_show_a_dash_for_a_county_with_nothing_signed(world: World) -> None:
    year = timezone.localdate().year
    data = _client(world.city_supervisor).get(f"/api/v1/deal-figures?year={year}").json()
    assert {r["display"] for row in data for r in row["ratios"]} == {"—"}
    page = _client(world.city_supervisor).get(reverse("investment:figures") + f"?year={year}")
    assert page.status_code == 200
    assert "—" in page.content.decode()


def test_the_export_is_the_list_as_filtered(world: World) -> None:
    make_deal(world, name="导出项目甲")
    response = _client(world.county_a_reporter).get(reverse("investment:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_page_flow_sign_fail_override_promote(world: World) -> None:
    deal = walk(world, make_deal(world, **EXAMPLE), Stage.NEGOTIATING)
    officer = _client(world.county_a_reporter)
    url = reverse("investment:transition", args=[deal.pk])
    response = officer.post(
        url,
        {
            "action": "advance",
            "version": deal.version,
            "evidence": "正式合同",
            "agreement_type": "formal",
            "on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.screening == Deal.Screening.FAILED
    page = officer.get(reverse("investment:detail", args=[deal.pk])).content.decode()
    assert "不符合亩均税收门槛（20.0 &lt; 30.0 万元/亩）" in page
    supervisor = _client(world.city_supervisor)
    response = supervisor.post(
        reverse("investment:override", args=[deal.pk]),
        {"version": deal.version, "reason": "市政府专题会议同意"},
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    deal = walk(world, deal, Stage.APPROVED, start=timezone.localdate(), step=0)
    from dudao.projects.models import ProjectCategory

    category = ProjectCategory.objects.filter(is_active=True).first()
    assert category is not None
    response = officer.post(
        reverse("investment:promote", args=[deal.pk]),
        {"version": deal.version, "category": category.pk, "level": "county"},
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.project is not None
    assert "已转入" in officer.get(reverse("investment:detail", args=[deal.pk])).content.decode()


def test_patch_a_deal_with_its_version(world: World) -> None:
    deal = make_deal(world)
    client = _client(world.county_a_reporter)
    url = f"/api/v1/deals/{deal.pk}"
    response = client.patch(
        url,
        json.dumps({"version": deal.version + 1, "land_mu": "80"}),
        content_type="application/json",
    )
    assert response.status_code == 409
    response = client.patch(
        url,
        json.dumps({"version": deal.version, "land_mu": "80", "leader": "张副县长"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert Decimal(response.json()["land_mu"]) == Decimal("80")
    deal.refresh_from_db()
    assert deal.leader == "张副县长"
    other = _client(world.county_b_reporter)
    assert (
        other.patch(
            url, json.dumps({"version": deal.version}), content_type="application/json"
        ).status_code
        == 404
    )
    deal = walk(world, deal, Stage.SIGNED)
    from dudao.investment import services

    services.terminate(
        actor=world.county_a_reporter, deal=deal, version=deal.version, reason="other", note="撤资"
    )
    deal.refresh_from_db()
    response = client.patch(
        url, json.dumps({"version": deal.version, "leader": "李"}), content_type="application/json"
    )
    assert response.status_code == 409
    assert "已终止" in response.json()["error"]["message"]


def test_register_a_deal_on_the_page(world: World) -> None:
    client = _client(world.county_a_reporter)
    form = {
        "name": "页面登记的项目",
        "investor": "示范投资",
        "investor_origin": "foreign",
        "responsible_org": world.county_a_drc.pk,
        "zone_level": "provincial",
        "signing_kind": "new",
        "contract_investment": "12000",
        "land_mu": "30",
        "pollution_class": "low",
        "tech_level": "high",
        "industry_code": "3411",
    }
    response = client.post(reverse("investment:create"), form)
    assert response.status_code == 302
    deal = Deal.objects.get(name="页面登记的项目")
    assert (deal.county, deal.investor_origin, deal.zone_level) == (
        world.county_a,
        "foreign",
        "provincial",
    )
    assert response["Location"] == reverse("investment:detail", args=[deal.pk])
    bad = client.post(reverse("investment:create"), {**form, "industry_code": "C34", "name": "坏"})
    assert bad.status_code == 400
    assert "4 位数字" in bad.content.decode()
    other = client.post(
        reverse("investment:create"), {**form, "responsible_org": world.county_b_drc.pk}
    )
    assert other.status_code == 400
    assert Deal.objects.count() == 1
