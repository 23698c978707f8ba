"""Pages and /api/v1/targets: scope (a county sees its own rows; another's sheet is 404),
the weak link → task round trip through the API, the edit with a reason after approval."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError
from dudao.targets import services
from dudao.targets.models import Improvement, TargetRow, TargetSet, UnitClass
from dudao.targets.tests.factories import YEAR, build_sheet
from dudao.testing import World

pytestmark = pytest.mark.django_db


def test_pages_show_the_evaluation(client: Client, world: World) -> None:
    ts = build_sheet(world)
    client.force_login(world.city_leader)
    page = client.get(reverse("targets:set_detail", args=[ts.pk]), {"period": f"{YEAR}-06"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "落后序时进度25.0个百分点" in text
    assert "高于目标增速4.5个百分点" in text
    filtered = client.get(
        reverse("targets:set_detail", args=[ts.pk]),
        {"period": f"{YEAR}-06", "light": "yellow", "sort": "gap"},
    )
    assert world.county_b.name in filtered.content.decode()
    assert "落后序时进度5.0个百分点" not in filtered.content.decode()
    standings = client.get(reverse("targets:standings"), {"period": f"{YEAR}-06"})
    assert "100.33" in standings.content.decode()
    weak = client.get(reverse("targets:weak_links"), {"period": f"{YEAR}-06"})
    assert world.county_b.name in weak.content.decode()
    bad = client.get(reverse("targets:standings"), {"period": "2026-13"})
    assert bad.status_code == 200
    assert "月份应为 1–12" in bad.content.decode()


def test_api_is_scope_filtered(client: Client, world: World) -> None:
    ts = build_sheet(world)
    client.force_login(world.county_a_reviewer)
    rows = client.get("/api/v1/targets/progress", {"period": f"{YEAR}-06"}).json()["items"]
    assert {r["unit_id"] for r in rows} == {world.county_a.pk, world.park_a.pk}
    sheet = client.get(f"/api/v1/targets/sets/{ts.pk}", {"period": f"{YEAR}-06"}).json()["items"]
    assert {r["unit_id"] for r in sheet} == {world.county_a.pk, world.park_a.pk}
    b_row = TargetRow.objects.get(target_set=ts, unit=world.county_b)
    assert client.get(f"/api/v1/targets/sets/{ts.pk + 999}").status_code == 404
    # 乙县's sheet alone is out of 甲县's scope
    other = TargetSet.objects.create(
        year=YEAR - 1, issuer=world.city, level="city_county", title="乙县专表", status="approved"
    )
    TargetRow.objects.create(
        target_set=other,
        unit=world.county_b,
        indicator=b_row.indicator,
        kind="absolute",
        target_value=Decimal(1),
    )
    assert client.get(f"/api/v1/targets/sets/{other.pk}").status_code == 404
    assert client.get("/api/v1/targets/progress", {"period": "2026-99"}).status_code == 400


def test_api_turns_a_weak_link_into_a_task(client: Client, world: World) -> None:
    ts = build_sheet(world)
    row = TargetRow.objects.get(target_set=ts, unit=world.county_b)
    ok_row = TargetRow.objects.get(
        target_set=ts, unit=world.county_a, indicator__code="fai", kind="absolute"
    )
    client.force_login(world.city_supervisor)
    body = {
        "period": f"{YEAR}-06",
        "owner_id": world.county_b.pk,
        "deadline": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "measure": "逐项目明确投资节点",
    }
    url = f"/api/v1/targets/rows/{ok_row.pk}/improvement"
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 400
    assert "不是薄弱环节" in refused.json()["error"]["message"]
    made = client.post(
        f"/api/v1/targets/rows/{row.pk}/improvement", body, content_type="application/json"
    )
    assert made.status_code == 201
    task_id = made.json()["task_id"]
    weak = client.get("/api/v1/targets/weak-links", {"period": f"{YEAR}-06"}).json()["items"]
    shown = next(w for w in weak if w["row_id"] == row.pk)
    assert shown["improvement_task_id"] == task_id
    assert shown["improvement_status"] == "已交办"
    assert Improvement.objects.filter(row=row).count() == 1
    assert AuditEvent.objects.filter(action="targets.improvement_task").exists()
    client.force_login(world.county_a_reviewer)  # not an editor: refused before any lookup
    hidden = client.post(
        f"/api/v1/targets/rows/{row.pk}/improvement", body, content_type="application/json"
    )
    assert hidden.status_code == 403


def test_an_approved_target_changes_only_with_a_reason(world: World) -> None:
    ts = build_sheet(world)
    row = TargetRow.objects.get(target_set=ts, unit=world.county_b)
    with pytest.raises(DomainError, match="必须填写修改理由"):
        services.update_row(actor=world.city_supervisor, row=row, target_value=Decimal(900000))
    changed = services.update_row(
        actor=world.city_supervisor,
        row=row,
        version=row.version,
        reason="省里调整下达数",
        target_value=Decimal(900000),
    )
    assert changed.target_value == Decimal(900000)
    assert changed.version == row.version + 1
    event = AuditEvent.objects.filter(action="targets.row_update").latest("pk")
    assert event.reason == "省里调整下达数"
    with pytest.raises(DomainError, match="已被他人修改"):
        services.update_row(
            actor=world.city_supervisor,
            row=row,
            version=row.version,
            reason="再改",
            target_value=Decimal(800000),
        )


def test_classes_by_list_and_by_size(client: Client, world: World) -> None:
    build_sheet(world)
    client.force_login(world.city_supervisor)
    url = reverse("targets:classes")
    done = client.post(
        url,
        {
            "year": YEAR,
            "mode": "list",
            "lines": (
                f"一类：{world.county_a.name}\n二类：{world.county_b.name}、{world.park_a.name}"
            ),
        },
    )
    assert done.status_code == 200
    names = {
        c.name: {m.pk for m in c.members.all()}
        for c in UnitClass.objects.filter(year=YEAR, owner=world.city_supervisor.organisation)
    }
    assert names == {"一类": {world.county_a.pk}, "二类": {world.county_b.pk, world.park_a.pk}}
    unknown = client.post(url, {"year": YEAR, "mode": "list", "lines": "一类：不存在县"})
    assert "找不到单位" in unknown.content.decode()
    # by size of last year's 固定资产投资 (June is the latest last-year value in the sheet's
    # data, so no December value: both counties go, in order, into the two classes by pk)
    split = services.split_by_size(
        actor=world.city_supervisor,
        year=YEAR + 1,
        indicator_code="fai",
        names=["一类", "二类"],
        units=[world.county_b, world.county_a],
    )
    assert [len(v) for v in split.values()] == [1, 1]


def test_sheet_extras_trend_and_forecast(world: World) -> None:
    from dudao.targets import selectors

    ts = build_sheet(world)
    rows = {
        (r.row.unit_id, r.row.indicator.code, r.row.kind): r
        for r in selectors.sheet(world.city_leader, ts, YEAR, 6)
    }
    a = rows[(world.county_a.pk, "fai", "absolute")]
    assert a.trend == "较上月下滑1.3个百分点"
    assert (a.forecast_method, a.forecast_display) == ("按线性估算", "90.0亿元")
    assert a.progress.sentence.endswith("较上月下滑1.3个百分点；按线性估算，预计全年90.0亿元。")
    assert a.rank_in_class == 1
    assert rows[(world.county_b.pk, "fai", "absolute")].rank_in_class == 2
