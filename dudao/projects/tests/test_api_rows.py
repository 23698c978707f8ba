"""The API's hot reads (project list, a project's history) answer with rows shaped by the
selectors and rendered without per-row schema validation (dudao.core.apiout): the JSON must
be byte-for-byte what the response schemas give from the model objects, within scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from dudao.core.apiout import render
from dudao.projects import selectors
from dudao.projects.api import PagedProjectOut, ReportOut
from dudao.projects.models import MonthlyReport, Project, ProjectList
from dudao.projects.testing import make_project, node, park_for, report
from dudao.testing import World

pytestmark = pytest.mark.django_db
S = MonthlyReport.Status


def _named(project: Project, name: str, **fields: object) -> Project:
    Project.objects.filter(pk=project.pk).update(name=name, **fields)
    return project


def _lists() -> list[ProjectList]:
    return [
        ProjectList.objects.create(code="city-2025", name="市重点2025", year=2025),
        ProjectList.objects.create(code="prov-2026", name="省重点2026", year=2026, sort_order=2),
        ProjectList.objects.create(code="city-2026", name="市重点2026", year=2026, sort_order=1),
    ]


def test_list_is_what_the_schema_gives_from_the_models(client: Client, world: World) -> None:
    lists = _lists()
    park = park_for(world.park_a, world.county_a)
    _named(make_project(world, lists=lists), "乙项目")
    _named(make_project(world, park=park, lists=[lists[0]]), "甲项目")
    _named(make_project(world, total=Decimal("12345678.9")), "丙项目", code=None)
    _named(make_project(world, county=world.county_b), "县外项目")
    client.force_login(world.city_supervisor)
    for query in ("", f"?county={world.county_a.pk}", "?limit=2&offset=1", "?q=项目&limit=3"):
        r = client.get("/api/v1/projects" + query)
        assert r.status_code == 200, r.content
        params = dict(x.split("=") for x in query.lstrip("?").split("&") if x)
        f = selectors.ProjectFilters(county=int(params["county"]) if "county" in params else None)
        f.q = params.get("q", "")
        qs = selectors.filter_projects(world.city_supervisor, f, None, None)
        offset, limit = int(params.get("offset", 0)), int(params.get("limit", 50))
        objects = list(qs.prefetch_related("lists")[offset : offset + limit])
        expected = PagedProjectOut.model_validate({"items": objects, "count": qs.count()})
        assert r.content == render(expected.model_dump())
    body = client.get(f"/api/v1/projects?county={world.county_a.pk}").json()
    assert [p["name"] for p in body["items"]] == ["丙项目", "乙项目", "甲项目"]
    assert body["items"][1]["lists"] == ["city-2026", "prov-2026", "city-2025"]
    assert body["items"][2]["in_park"] is True
    assert body["items"][0]["code"] is None


def test_list_keeps_the_scope_and_checks_a_given_period(client: Client, world: World) -> None:
    _named(make_project(world), "本县项目")
    _named(make_project(world, county=world.county_b), "外县项目")
    client.force_login(world.county_a_reporter)
    body = client.get("/api/v1/projects").json()
    assert [p["name"] for p in body["items"]] == ["本县项目"]
    assert body["count"] == 1
    assert client.get(f"/api/v1/projects?county={world.county_b.pk}").json()["count"] == 0
    assert client.get("/api/v1/projects?offset=5").json() == {"items": [], "count": 1}
    assert client.get("/api/v1/projects?period=2026-13").status_code in (400, 422)
    assert client.get("/api/v1/projects?light=red&period=2026-03").status_code == 200
    assert client.get("/api/v1/projects?limit=0").status_code == 422


def test_history_is_what_the_schema_gives_and_is_404_out_of_scope(
    client: Client, world: World
) -> None:
    p = make_project(world)
    report(world, p, 1, "100.5", status=S.APPROVED)
    report(world, p, 2, "20", status=S.SUBMITTED, node=node("START"), node_date=date(2026, 2, 3))
    report(world, p, 3, "0", progress_text="主体施工")
    other = make_project(world, county=world.county_b)
    client.force_login(world.county_a_reporter)
    r = client.get(f"/api/v1/projects/{p.pk}/reports")
    assert r.status_code == 200
    objects = list(p.reports.select_related("node").order_by("year", "month"))
    expected = [ReportOut.model_validate(o).model_dump() for o in objects]
    assert r.content == render(expected)
    assert [x["node"] for x in r.json()] == [None, "START", None]
    missing = client.get("/api/v1/projects/999999/reports")
    hidden = client.get(f"/api/v1/projects/{other.pk}/reports")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert client.get(f"/api/v1/projects/{make_project(world).pk}/reports").json() == []
