"""Integrity of 重大项目 (issue 11): a locked month's figures cannot move, replay keys are the
caller's own, no-op writes write nothing, fields the caller may not change are refused, years
and periods are never silently something else, targets are set against actuals of the same
scope."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError
from dudao.projects import selectors, services
from dudao.projects.models import MonthLock, MonthlyReport, ProjectCategory, ProjectYearPlan
from dudao.projects.testing import make_project, park_for, report
from dudao.testing import World

pytestmark = pytest.mark.django_db
S = MonthlyReport.Status
D = Decimal
ANALYSIS = "/api/v1/project-analysis?period=2026-09"


def login(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    return client


def api(client: Client, method: str, url: str, body: object = None) -> Any:
    return client.generic(
        method, url, json.dumps(body) if body is not None else "", content_type="application/json"
    )


# --- (2) a locked month's figures cannot move --------------------------------------------------


def _locked_year(world: World) -> Any:
    """A county A project with January–September approved, then locked city-wide."""
    a = make_project(world)
    for m in range(1, 10):
        report(world, a, m, "1000", status=S.APPROVED)
    for m in range(1, 10):
        services.lock_month(actor=world.city_supervisor, year=2026, month=m)
    return a


def _september(client: Client, world: World) -> bytes:
    login(client, world.city_supervisor)
    r = client.get(ANALYSIS)
    assert r.status_code == 200, r.content
    return r.content


def test_locked_months_freeze_the_plan_targets_and_lags(client: Client, world: World) -> None:
    a = _locked_year(world)
    c = make_project(world, plan=None)  # registered, no plan yet
    before = _september(client, world)
    plan = ProjectYearPlan.objects.get(project=a, year=2026)
    assert plan.approved_ytd == D("9000.00")
    url = f"/api/v1/projects/{a.pk}/plans/2026"
    login(client, world.county_a_reporter)
    attempts = [
        ({"planned_investment": "8000", "version": plan.version}, "不能低于已审核"),
        ({"planned_investment": "15000", "version": plan.version}, "已锁定"),
        (
            {
                "planned_investment": "20000",
                "curve": [str(1000 * m) for m in range(1, 12)] + ["20000"],
                "version": plan.version,
            },
            "已锁定",
        ),
    ]
    for body, message in attempts:
        r = api(client, "PUT", url, body)
        assert r.status_code in (400, 409, 422), r.content
        assert message in r.json()["error"]["message"]
        assert _september(client, world) == before
        login(client, world.county_a_reporter)
    # a new plan for a locked year, a target of a locked quarter
    with pytest.raises(DomainError, match="已锁定"):
        services.save_plan(
            actor=world.county_a_reporter, project=c, year=2026, planned_investment=D("100")
        )
    with pytest.raises(DomainError, match="已锁定"):
        services.set_quarter_target(
            actor=world.city_supervisor,
            county=world.county_a,
            year=2026,
            quarter=3,
            metric="start",
            target=5,
        )
    # nor what the analysis groups the project by
    urban = ProjectCategory.objects.get(code="urban")
    a.refresh_from_db()
    for change in ({"category": urban}, {"is_active": False}):
        with pytest.raises(DomainError, match="已锁定"):
            services.update_project(
                actor=world.city_supervisor, project=a, version=a.version, **change
            )
    assert _september(client, world) == before
    # the roll-up never rewrites a locked month's stored lag
    lags = list(
        MonthlyReport.objects.filter(project=a).order_by("month").values_list("lag", flat=True)
    )
    ProjectYearPlan.objects.filter(pk=plan.pk).update(planned_investment=D("12000"))
    services.refresh_plan_rollup(a.pk, 2026)
    assert (
        list(
            MonthlyReport.objects.filter(project=a).order_by("month").values_list("lag", flat=True)
        )
        == lags
    )
    ProjectYearPlan.objects.filter(pk=plan.pk).update(planned_investment=D("20000"))
    assert _september(client, world) == before
    # unlocked with a reason (audited), the same edit goes through and the figures follow it
    for lock in MonthLock.objects.filter(is_active=True, year=2026):
        services.unlock_month(actor=world.city_supervisor, lock=lock, reason="更正计划口径")
    assert AuditEvent.objects.filter(action="project.month_unlock").count() == 9
    login(client, world.county_a_reporter)
    r = api(client, "PUT", url, {"planned_investment": "15000", "version": plan.version})
    assert r.status_code == 200, r.content
    assert _september(client, world) != before


def test_a_project_registered_after_the_lock_leaves_the_locked_month_alone(
    client: Client, world: World
) -> None:
    """Issue 11 (2): a locked month counts the projects registered before its lock only."""
    _locked_year(world)
    before = _september(client, world)
    make_project(world, plan=None)
    make_project(world, county=world.county_b, actor=world.city_supervisor, plan=None)
    assert _september(client, world) == before
    # the months still open count them
    login(client, world.city_supervisor)
    october = client.get("/api/v1/project-analysis?period=2026-10").json()
    assert october["total"]["projects"] == 3


def test_changed_light_thresholds_recolour_open_months_only(client: Client, world: World) -> None:
    """Issue 11 (2): a month keeps the thresholds it was locked with."""
    a = _locked_year(world)
    report(world, a, 10, "1000", status=S.APPROVED)
    before = _september(client, world)
    sept_light = selectors.lights_for([a], 2026, 9)[a.pk].light
    oct_light = selectors.lights_for([a], 2026, 10)[a.pk].light
    settings = selectors.month_settings(2026, 10)
    services.update_settings(
        actor=world.city_supervisor,
        version=settings.version,
        lag_yellow_from=D("60"),
        lag_red_above=D("80"),
    )
    assert _september(client, world) == before
    assert selectors.lights_for([a], 2026, 9)[a.pk].light == sept_light
    assert selectors.lights_for([a], 2026, 10)[a.pk].light != oct_light
    # a later lock of a month already locked for another county keeps the month's thresholds
    services.lock_month(actor=world.city_supervisor, year=2026, month=10, county=world.county_a)
    services.update_settings(
        actor=world.city_supervisor,
        version=selectors.month_settings(2026, 12).version,
        lag_red_above=D("90"),
    )
    services.lock_month(actor=world.city_supervisor, year=2026, month=10, county=world.county_b)
    kept = MonthLock.objects.filter(is_active=True, year=2026, month=10)
    assert {lock.thresholds["lag_red_above"] for lock in kept} == {"80.00"}


# --- (3) request ids are the caller's own, for one report --------------------------------------


def test_a_request_id_of_another_county_is_not_a_replay_api(client: Client, world: World) -> None:
    a = make_project(world)
    b = make_project(world, county=world.county_b, actor=world.city_supervisor)
    login(client, world.county_a_reporter)
    ra = api(
        client,
        "PUT",
        f"/api/v1/projects/{a.pk}/reports/2026-03",
        {"invest_month": "100", "request_id": "k"},
    )
    assert ra.status_code == 200
    sub_a = api(
        client, "POST", f"/api/v1/project-reports/{ra.json()['id']}/submit", {"request_id": "s"}
    )
    assert sub_a.json()["status"] == "submitted"
    login(client, world.county_b_reporter)
    rb = api(
        client,
        "PUT",
        f"/api/v1/projects/{b.pk}/reports/2026-03",
        {"invest_month": "7", "request_id": "k"},
    )
    assert rb.status_code == 200
    assert rb.json()["project_id"] == b.pk
    assert rb.json()["invest_month"] == "7.00"
    sub_b = api(
        client, "POST", f"/api/v1/project-reports/{rb.json()['id']}/submit", {"request_id": "s"}
    )
    assert sub_b.status_code == 200
    assert sub_b.json()["id"] == rb.json()["id"]
    assert MonthlyReport.objects.get(project=b).status == S.SUBMITTED
    # B cannot learn anything through A's report with A's key: out of scope is 404
    again = api(
        client, "POST", f"/api/v1/project-reports/{ra.json()['id']}/submit", {"request_id": "s"}
    )
    assert again.status_code == 404


def test_a_request_id_of_another_county_is_not_a_replay_page(client: Client, world: World) -> None:
    a = make_project(world)
    b = make_project(world, county=world.county_b, actor=world.city_supervisor)
    services.save_report(
        actor=world.county_a_reporter,
        project=a,
        year=2026,
        month=3,
        data=services.ReportInput(invest_month=D("100")),
        request_id="k",
    )
    login(client, world.county_b_reporter)
    r = client.post(
        reverse("projects:grid_row", args=[b.pk]) + "?period=2026-03",
        {"invest_month": "7", "funds_month": "0", "request_id": "k", "action": "submit"},
    )
    assert r.status_code == 200, r.content
    mine = MonthlyReport.objects.get(project=b, year=2026, month=3)
    assert mine.invest_month == D("7.00")
    assert mine.status == S.SUBMITTED
    assert MonthlyReport.objects.get(project=a).invest_month == D("100.00")


# --- (15) no-op writes write nothing; fields that may not change are refused --------------------


def test_no_op_writes_write_nothing(client: Client, world: World) -> None:
    p = make_project(world)
    login(client, world.county_a_reporter)
    events = AuditEvent.objects.count()
    r = api(client, "PATCH", f"/api/v1/projects/{p.pk}", {"version": 1, "name": p.name})
    assert r.status_code == 200, r.content
    assert r.json()["version"] == 1
    r = api(client, "PATCH", f"/api/v1/projects/{p.pk}", {"version": 1})
    assert r.json()["version"] == 1
    r = api(
        client, "PATCH", f"/api/v1/projects/{p.pk}", {"version": 1, "total_investment": "50000"}
    )
    assert r.json()["version"] == 1
    assert AuditEvent.objects.count() == events
    refused = api(
        client, "PATCH", f"/api/v1/projects/{p.pk}", {"version": 1, "county_id": world.county_b.pk}
    )
    assert refused.status_code == 422
    assert "county_id" in refused.content.decode()
    # an identical report save, an identical plan
    url = f"/api/v1/projects/{p.pk}/reports/2026-03"
    first = api(client, "PUT", url, {"invest_month": "100"}).json()
    events = AuditEvent.objects.count()
    same = api(client, "PUT", url, {"invest_month": "100.00", "version": first["version"]}).json()
    assert same["version"] == first["version"]
    plan = ProjectYearPlan.objects.get(project=p, year=2026)
    r = api(
        client,
        "PUT",
        f"/api/v1/projects/{p.pk}/plans/2026",
        {"planned_investment": "20000.00", "version": plan.version},
    )
    assert r.status_code == 200
    assert r.json()["version"] == plan.version
    assert AuditEvent.objects.count() == events
    # a real change still writes once
    r = api(client, "PATCH", f"/api/v1/projects/{p.pk}", {"version": 1, "name": "改名项目"})
    assert r.json()["version"] == 2
    assert AuditEvent.objects.count() == events + 1


# --- (17) years in the window, periods never another month --------------------------------------


def test_plan_years_outside_the_window_are_refused(client: Client, world: World) -> None:
    p = make_project(world)
    login(client, world.county_a_reporter)
    for year in (99999, 1900):
        r = api(client, "PUT", f"/api/v1/projects/{p.pk}/plans/{year}", {"planned_investment": "1"})
        assert r.status_code in (400, 422), (year, r.content)
        assert not ProjectYearPlan.objects.filter(project=p, year=year).exists()
    login(client, world.city_supervisor)
    assert client.get("/api/v1/project-targets?year=-1").status_code in (400, 422)
    assert client.get("/api/v1/project-analysis?period=2026-13").status_code in (400, 422)


def test_a_write_with_a_bad_period_is_refused(client: Client, world: World) -> None:
    p = make_project(world)
    login(client, world.county_a_reporter)
    r = client.post(
        reverse("projects:grid_row", args=[p.pk]) + "?period=2026-13",
        {"invest_month": "7", "funds_month": "0"},
    )
    assert r.status_code == 400
    assert not MonthlyReport.objects.filter(project=p).exists()


# --- (16) targets against actuals of the same scope ---------------------------------------------


def test_a_park_committee_sees_no_county_target(world: World) -> None:
    make_project(world, park=park_for(world.park_a, world.county_a))
    services.set_quarter_target(
        actor=world.city_supervisor,
        county=world.county_a,
        year=2026,
        quarter=4,
        metric="start",
        target=9,
    )
    county_rows = selectors.quarter_targets(world.county_a_reporter, 2026, 4)
    assert any(r.target == 9 for r in county_rows)
    park_rows = selectors.quarter_targets(world.park_reporter, 2026, 4)
    assert park_rows  # its own projects' actuals
    assert all(r.target is None for r in park_rows)
