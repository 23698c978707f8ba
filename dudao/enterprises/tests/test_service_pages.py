"""The service pages: the officer logs a visit with a demand, the department answers from its
inbox, the enterprise confirms and rates on its portal; the enterprise account reaches nothing
else (its own demands only, other pages 403, other demands 404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dudao.audit.models import AuditEvent
from dudao.enterprises.models import Demand, Enterprise
from dudao.enterprises.tests.test_service import Service
from dudao.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def svc(world: World) -> Service:
    return Service(world)


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_loop_through_the_pages(svc: Service) -> None:
    officer = _client(svc.officer)
    mine = officer.get(reverse("enterprises:mine"))
    assert svc.firm.name in mine.content.decode()
    response = officer.post(
        reverse("enterprises:visit_new", args=[svc.firm.pk]),
        {
            "visited_on": timezone.localdate().isoformat(),
            "people_met": "张总经理",
            "notes": "了解二期用地",
            "raise_demand": "on",
            "category": "land",
            "title": "二期用地",
            "content": "需新增用地30亩",
            "department": svc.land.pk,
        },
    )
    assert response.status_code == 302
    demand = Demand.objects.get(enterprise=svc.firm)
    clerk = _client(svc.land_clerk)
    inbox = clerk.get(reverse("enterprises:inbox"))
    assert demand.code in inbox.content.decode()
    url = reverse("enterprises:demand_detail", args=[demand.pk])
    clerk.post(url, {"action": "answer", "answer": "已纳入供地计划", "version": demand.version})
    demand.refresh_from_db()
    assert demand.status == Demand.Status.ANSWERED
    firm = _client(svc.account)
    assert firm.get(reverse("home"))["Location"] == reverse("enterprises:portal")
    portal = firm.get(reverse("enterprises:portal"))
    assert demand.code in portal.content.decode()
    firm.post(url, {"action": "confirm", "satisfaction": "5", "comment": "满意", "version": "2"})
    demand.refresh_from_db()
    assert (demand.status, demand.satisfaction, demand.confirmed_on_behalf) == ("closed", 5, False)
    detail = firm.get(url).content.decode()
    assert "确认办结" in detail
    assert "5分" in detail


def test_a_stale_step_says_so(svc: Service) -> None:
    demand = svc.demand()
    clerk = _client(svc.land_clerk)
    url = reverse("enterprises:demand_detail", args=[demand.pk])
    clerk.post(url, {"action": "accept", "version": "1"})
    response = clerk.post(url, {"action": "answer", "answer": "x", "version": "1"}, follow=True)
    assert "已被他人修改" in response.content.decode()


def test_the_enterprise_account_reaches_only_its_own(svc: Service, world: World) -> None:
    other = svc.demand(firm=_other(svc, world))
    firm = _client(svc.account)
    assert firm.get(reverse("enterprises:demand_detail", args=[other.pk])).status_code == 404
    api = firm.get(reverse("api:enterprises_demand", args=[other.pk]))
    assert api.status_code == 404
    listed = firm.get(reverse("api:enterprises_demands")).json()
    assert listed["count"] == 0
    for name in ("enterprises:list", "enterprises:inbox", "enterprises:mine", "projects:list"):
        assert firm.get(reverse(name)).status_code == 403
    assert firm.get(reverse("enterprises:detail", args=[svc.firm.pk])).status_code == 403
    created = firm.post(
        reverse("api:enterprises_demands"),
        {
            "category": "labour",
            "title": "招工",
            "content": "缺技工20人",
            "department_code": "SFS-ZRZY",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["enterprise_id"] == svc.firm.pk
    assert created.json()["source"] == "enterprise"


def _other(svc: Service, world: World) -> Enterprise:
    from dudao.enterprises import services

    services.assign_officer(
        actor=world.city_supervisor,
        enterprise=svc.other_firm,
        officer=svc.officer,
        valid_from=dt.date(2025, 1, 1),
    )
    return svc.other_firm


def test_league_page_and_profile(svc: Service, world: World) -> None:
    demand = svc.demand()
    supervisor = _client(world.city_supervisor)
    league = supervisor.get(reverse("enterprises:league")).content.decode()
    assert "示范市自然资源和规划局" in league or "自然资源" in league
    profile = supervisor.get(reverse("enterprises:detail", args=[svc.firm.pk])).content.decode()
    assert demand.code in profile
    assert svc.officer.full_name in profile


def test_the_supervisor_edits_the_sla_and_assigns_an_officer(svc: Service, world: World) -> None:
    supervisor = _client(world.city_supervisor)
    response = supervisor.post(
        reverse("enterprises:sla"),
        {"category": "land", "workdays": "15", "source_doc": "示范市办法（测试）", "version": "1"},
        follow=True,
    )
    assert "办理时限已保存" in response.content.decode()
    assert svc.demand().sla_workdays == 15
    assert AuditEvent.objects.filter(action="enterprises.demand_sla.save").count() == 1
    response = supervisor.post(
        reverse("enterprises:assign", args=[svc.other_firm.pk]),
        {"officer": "land_clerk", "valid_from": "2025-01-01"},
        follow=True,
    )
    assert "已安排" in response.content.decode()
    assert (
        _client(svc.land_clerk)
        .get(reverse("enterprises:mine"))
        .content.decode()
        .count(svc.other_firm.name)
    )
    reporter = _client(world.county_a_reporter)
    assert reporter.post(reverse("enterprises:sla"), {"category": "land"}).status_code == 403


def test_the_supervisor_binds_an_account_and_ends_an_assignment(svc: Service, world: World) -> None:
    from dudao.enterprises.models import EnterpriseAccount, LiaisonAssignment

    supervisor = _client(world.city_supervisor)
    url = reverse("enterprises:bind_account", args=[svc.other_firm.pk])
    refused = supervisor.post(url, {"username": svc.officer.username}, follow=True)
    assert "没有这个用户名的企业账户" in refused.content.decode()
    response = supervisor.post(url, {"username": svc.account.username}, follow=True)
    assert "已将账户" in response.content.decode()
    assert EnterpriseAccount.objects.get(user=svc.account).enterprise == svc.other_firm
    assert AuditEvent.objects.filter(action="enterprises.account.bind").exists()

    assignment = LiaisonAssignment.objects.filter(enterprise=svc.firm, officer=svc.officer).get()
    page = supervisor.get(reverse("enterprises:detail", args=[svc.firm.pk])).content.decode()
    assert "解除" in page
    assert f"<title>{svc.firm.name} · " in page  # the title is the name, nothing else
    end = reverse("enterprises:end_liaison", args=[svc.firm.pk])
    today = timezone.localdate()
    supervisor.post(
        end,
        {"assignment": assignment.pk, "valid_to": today.isoformat(), "version": assignment.version},
    )
    assignment.refresh_from_db()
    assert assignment.valid_to == today
    assert AuditEvent.objects.filter(action="enterprises.liaison.end").count() == 1
    # a stale copy of the form is refused and changes nothing
    stale = supervisor.post(
        end, {"assignment": assignment.pk, "valid_to": "2030-01-01", "version": 1}, follow=True
    )
    assert "刷新" in stale.content.decode() or "已被" in stale.content.decode()
    assignment.refresh_from_db()
    assert assignment.valid_to == today
    reporter = _client(world.county_a_reporter)
    assert reporter.post(url, {"username": svc.account.username}).status_code == 403
