"""A whole tour planned, scored and published through the API alone; its refusals (scope,
roles, stale versions, edits after start, missing sheets); rank-vote ballots by API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from dudao.accounts.roles import Role
from dudao.audit.models import AuditEvent
from dudao.inspections.models import Tour, UnitResult
from dudao.inspections.tests.factories import make_project
from dudao.testing import World, add_user

pytestmark = pytest.mark.django_db
API = "/api/v1/inspections"


def _call(client: Client, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(
        url, data=json.dumps(body) if body is not None else None, content_type="application/json"
    )


def _plan(client: Client, world: World, **extra: Any) -> dict[str, Any]:
    """Create a tour with one group, counties A and B, and return the tour's JSON."""
    r = _call(client, "post", f"{API}/tours", {
        "name": "2026年下半年观摩", "period": "2026年下半年",
        "start_date": "2026-07-15", "end_date": "2026-07-16", **extra,
    })  # fmt: skip
    assert r.status_code == 201, r.content
    tour: dict[str, Any] = r.json()
    tid = tour["id"]
    r = _call(client, "post", f"{API}/tours/{tid}/groups", {
        "name": "第一组", "leader_name": "赵明远", "leader_title": "市委书记",
    })  # fmt: skip
    assert r.status_code == 201, r.content
    for code, order in ((world.county_a.code, 1), (world.county_b.code, 2)):
        r = _call(client, "post", f"{API}/tours/{tid}/units", {
            "county": code, "unit_group": "县(市)组", "visit_group": "第一组", "visit_order": order,
        })  # fmt: skip
        assert r.status_code == 201, r.content
    return tour


def test_a_whole_tour_is_planned_scored_and_published_through_the_api(  # noqa: PLR0915 - one story
    client: Client, world: World
) -> None:
    project_a = make_project(world.county_a)
    project_b = make_project(world.county_b, category="urban")
    project_a.code = "2026-411600-00-01-000001"
    project_b.code = "2026-411600-00-01-000002"
    project_a.save(update_fields=["code"])
    project_b.save(update_fields=["code"])
    county_judge = add_user(world, world.county_a, Role.JUDGE, username="judge_a")
    client.force_login(world.city_supervisor)
    tid = _plan(client, world)["id"]
    sites = []
    for code, hour in ((project_a.code, "09"), (project_b.code, "14")):
        r = _call(client, "post", f"{API}/tours/{tid}/sites", {
            "project_code": code, "visit_date": "2026-07-15",
            "slot_start": f"{hour}:00", "slot_end": f"{hour}:40", "presenter_name": "李县长",
        })  # fmt: skip
        assert r.status_code == 201, r.content
        sites.append(r.json()["id"])
    r = _call(client, "post", f"{API}/tours/{tid}/sites", {
        "project_code": "不存在的代码", "visit_date": "2026-07-15",
        "slot_start": "10:00", "slot_end": "10:30",
    })  # fmt: skip
    assert r.status_code == 400
    assert "找不到项目代码" in r.json()["error"]["message"]
    for username in (world.judge.username, "judge_a"):
        r = _call(client, "post", f"{API}/tours/{tid}/judges", {
            "username": username, "group": "第一组",
        })  # fmt: skip
        assert r.status_code == 201, r.content
    plan = _call(client, "get", f"{API}/tours/{tid}").json()
    assert [j["conflict"] for j in plan["judges"]] == [None, world.county_a.display_name]
    assert [s["project_code"] for s in plan["sites"]] == [project_a.code, project_b.code]
    # Edit before the start (version checked), then open scoring.
    r = _call(client, "patch", f"{API}/tours/{tid}", {"version": 1, "name": "旧名"})
    assert r.status_code == 409  # stale: the plan moved the version on
    r = _call(client, "patch", f"{API}/tours/{tid}", {"version": plan["version"], "trim_k": 0})
    assert r.status_code == 200, r.content
    r = _call(client, "post", f"{API}/tours/{tid}/transition", {"action": "open"})
    assert r.json()["status"] == "scoring"
    r = _call(client, "patch", f"{API}/tours/{tid}", {"version": r.json()["version"], "name": "新"})
    assert r.status_code == 409
    assert "已开始评分" in r.json()["error"]["message"]

    def score(user: Any, site_id: int, points: str) -> None:
        client.force_login(user)
        sheet = _call(client, "get", f"{API}/sites/{site_id}/sheet").json()
        scores = {str(c["id"]): points for c in sheet["criteria"]}
        r = _call(client, "post", f"{API}/sites/{site_id}/card", {"scores": scores, "key": "k1"})
        assert r.status_code == 200, r.content
        assert _call(client, "post", f"{API}/sites/{site_id}/card/submit").status_code == 200

    score(world.judge, sites[0], "9")
    score(world.judge, sites[1], "8")
    client.force_login(county_judge)
    assert _call(client, "get", f"{API}/sites/{sites[0]}/sheet").json()["conflict"] is True
    client.force_login(world.city_supervisor)
    _call(client, "post", f"{API}/tours/{tid}/transition", {"action": "close"})
    r = _call(client, "post", f"{API}/tours/{tid}/publish", {})
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "missing_sheets"
    assert error["details"]["missing"] == [
        {"judge": county_judge.full_name, "items": [project_b.name]}
    ]
    assert not UnitResult.objects.exists()
    r = _call(client, "post", f"{API}/tours/{tid}/publish", {"reason": "该评委因公缺席下午点位"})
    assert r.status_code == 200, r.content
    assert r.json()["publish_note"] == "该评委因公缺席下午点位"
    event = AuditEvent.objects.filter(action="inspections.tour.publish").get()
    assert event.reason == "该评委因公缺席下午点位"
    results = _call(client, "get", f"{API}/tours/{tid}/results").json()["results"]
    assert {r["county"]: r["score"] for r in results} == {
        world.county_a.display_name: "54.00",
        world.county_b.display_name: "40.00",  # the 城建 sheet: 5 criteria × 8
    }


def test_the_plan_api_keeps_scope_and_roles(client: Client, world: World) -> None:
    client.force_login(world.city_supervisor)
    tid = _plan(client, world)["id"]
    client.force_login(world.county_a_reporter)
    assert _call(client, "get", f"{API}/tours/{tid}").status_code == 404  # unpublished: unseen
    r = _call(client, "post", f"{API}/tours/{tid}/groups", {
        "name": "二组", "leader_name": "钱", "leader_title": "市长",
    })  # fmt: skip
    assert r.status_code in (403, 404)
    r = _call(client, "post", f"{API}/tours", {
        "name": "x", "period": "y", "start_date": "2026-07-15", "end_date": "2026-07-16",
    })  # fmt: skip
    assert r.status_code == 403
    client.force_login(world.city_supervisor)
    r = _call(client, "post", f"{API}/tours/{tid}/units", {
        "county": "SFS-NOPE", "unit_group": "县(市)组",
    })  # fmt: skip
    assert r.status_code == 400
    assert "找不到单位编码" in r.json()["error"]["message"]
    r = _call(client, "post", f"{API}/tours/{tid}/units", {"county": "x", "bogus": 1})
    assert r.status_code == 422


def test_a_tour_is_cancelled_before_start_with_a_reason(client: Client, world: World) -> None:
    client.force_login(world.city_supervisor)
    tour = _plan(client, world)
    tid = tour["id"]
    r = _call(client, "post", f"{API}/tours/{tid}/cancel", {"reason": " "})
    assert r.status_code == 400
    assert "取消原因" in r.json()["error"]["message"]
    version = _call(client, "get", f"{API}/tours/{tid}").json()["version"]
    r = _call(client, "post", f"{API}/tours/{tid}/cancel", {"reason": "防汛", "version": version})
    assert r.status_code == 200, r.content
    assert r.json()["status_label"] == "已取消"
    assert AuditEvent.objects.get(action="inspections.tour.cancel").reason == "防汛"
    r = _call(client, "patch", f"{API}/tours/{tid}", {"version": r.json()["version"], "name": "新"})
    assert r.status_code == 409
    assert r.json()["error"]["message"] == "观摩活动已取消。"
    r = _call(client, "post", f"{API}/tours/{tid}/transition", {"action": "open"})
    assert r.status_code == 409


def test_rank_vote_ballots_by_api_skip_a_group_without_a_free_choice(
    client: Client, world: World
) -> None:
    county_judge = add_user(world, world.county_a, Role.JUDGE, username="judge_a")
    client.force_login(world.city_supervisor)
    tid = _plan(client, world, method="rank_vote")["id"]
    project = make_project(world.county_a)
    project.code = "2026-411600-00-01-000003"
    project.save(update_fields=["code"])
    _call(client, "post", f"{API}/tours/{tid}/sites", {
        "project_code": project.code, "visit_date": "2026-07-15",
        "slot_start": "09:00", "slot_end": "09:40",
    })  # fmt: skip
    for username in (world.judge.username, "judge_a"):
        _call(client, "post", f"{API}/tours/{tid}/judges", {"username": username})
    _call(client, "post", f"{API}/tours/{tid}/transition", {"action": "open"})
    units = {
        u["county_code"]: u["id"]
        for u in _call(client, "get", f"{API}/tours/{tid}").json()["units"]
    }
    client.force_login(county_judge)
    ballot = _call(client, "get", f"{API}/tours/{tid}/ballot").json()
    county_group = next(b for b in ballot if b["unit_group"] == "县(市)组")
    assert county_group["skipped"] is True
    assert "没有可比较的选择" in county_group["note"]
    r = _call(
        client, "post", f"{API}/tours/{tid}/ballot", {"ranks": {units[world.county_b.code]: 1}}
    )
    assert r.status_code == 400
    client.force_login(world.judge)
    r = _call(client, "post", f"{API}/tours/{tid}/ballot", {
        "ranks": {units[world.county_a.code]: 2, units[world.county_b.code]: 1},
    })  # fmt: skip
    assert r.status_code == 200, r.content
    county_group = next(b for b in r.json() if b["unit_group"] == "县(市)组")
    assert [u["rank"] for u in county_group["units"]] == [2, 1]
    assert Tour.objects.get(pk=tid).method == "rank_vote"
