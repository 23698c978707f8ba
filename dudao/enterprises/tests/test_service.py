"""Enterprise service: SLA across 国庆, the enterprise account's scope, confirmation and rating,
reopening, the on-behalf flag, escalation to the ledger, the league and audit events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from dudao.accounts.models import User
from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError, InvalidTransition, NotAllowed
from dudao.core.roles import Role
from dudao.enterprises import service_selectors as sel
from dudao.enterprises import services
from dudao.enterprises.models import Demand, DemandEvent, Enterprise
from dudao.enterprises.tests.helpers import enterprise
from dudao.orgs.models import Organisation
from dudao.problems.models import Problem, ProblemCategory
from dudao.testing import World, add_user, make_organisation

pytestmark = pytest.mark.django_db
S = Demand.Status


class Service:
    def __init__(self, world: World) -> None:
        self.world = world
        self.land = make_organisation(
            world.sysadmin, parent=world.city, name="示范市自然资源和规划局", code="SFS-ZRZY"
        )
        self.land_clerk = add_user(world, self.land, Role.REPORTER, username="land_clerk")
        self.officer = add_user(world, world.county_a_drc, Role.REPORTER, username="officer1")
        self.firm = enterprise(world, 1)
        self.other_firm = enterprise(world, 2)
        services.assign_officer(
            actor=world.city_supervisor,
            enterprise=self.firm,
            officer=self.officer,
            valid_from=dt.date(2025, 1, 1),
        )
        self.account = add_user(world, world.park_a, Role.ENTERPRISE, username="firm1")
        services.bind_enterprise_account(
            actor=world.city_supervisor, user=self.account, enterprise=self.firm
        )

    def demand(
        self, actor: User | None = None, firm: Enterprise | None = None, **kw: Any
    ) -> Demand:
        data = services.DemandInput(
            category=kw.pop("category", "land"),
            title="新增用地指标",
            content="二期厂房需新增用地30亩。",
            department=self.land,
        )
        return services.raise_demand(
            actor=actor or self.officer, enterprise=firm or self.firm, data=data, **kw
        )


@pytest.fixture
def svc(world: World) -> Service:
    return Service(world)


def test_the_sla_counts_workdays_across_national_day(svc: Service) -> None:
    # Routed Fri 2025-09-26, 用地 10 个工作日: 9/28, 9/29, 9/30, 10/9, 10/10, 10/11 (调休),
    # 10/13, 10/14, 10/15, 10/16.
    demand = svc.demand(today=dt.date(2025, 9, 26))
    assert demand.sla_workdays == 10
    assert demand.due_on == dt.date(2025, 10, 16)
    assert demand.due_provisional is False
    assert demand.code == f"QS2025-{demand.pk:06d}"


def test_an_answer_after_the_due_date_is_not_on_time(svc: Service) -> None:
    demand = svc.demand(today=dt.date(2025, 9, 26))
    late = services.answer_demand(
        actor=svc.land_clerk,
        demand=demand,
        answer="已纳入年度供地计划。",
        today=dt.date(2025, 10, 17),
    )
    assert late.status == S.ANSWERED
    assert late.answered_on_time is False


def test_the_enterprise_account_sees_only_its_own_demands(svc: Service, world: World) -> None:
    own = svc.demand()
    services.assign_officer(
        actor=world.city_supervisor,
        enterprise=svc.other_firm,
        officer=svc.officer,
        valid_from=dt.date(2025, 1, 1),
    )
    other = svc.demand(firm=svc.other_firm)
    today = timezone.localdate()
    assert list(sel.demands(svc.account, today)) == [own]
    with pytest.raises(Http404):
        sel.get_demand(svc.account, other.pk, today)
    with pytest.raises(DomainError):
        services.confirm_demand(actor=svc.account, demand=other, satisfaction=5)
    with pytest.raises(DomainError):
        svc.demand(actor=svc.account, firm=svc.other_firm)
    # The 企业 role sees no organisation-scoped data at all.
    assert not Enterprise.objects.visible_to(svc.account).exists()
    assert list(sel.visits(svc.account, today)) == []


def test_the_enterprise_raises_and_satisfaction_closes_the_loop(svc: Service) -> None:
    demand = svc.demand(actor=svc.account)
    assert demand.source == Demand.Source.ENTERPRISE
    services.accept_demand(actor=svc.land_clerk, demand=demand)
    services.answer_demand(actor=svc.land_clerk, demand=demand, answer="已安排。")
    with pytest.raises(DomainError):
        services.confirm_demand(actor=svc.account, demand=demand, satisfaction=6)
    closed = services.confirm_demand(
        actor=svc.account, demand=demand, satisfaction=5, comment="办理迅速", version=3
    )
    assert closed.status == S.CLOSED
    assert closed.satisfaction == 5
    assert closed.confirmed_on_behalf is False
    assert closed.answered_on_time is True
    actions = list(closed.events.values_list("action", flat=True))
    assert actions == ["raise", "accept", "answer", "confirm"]


def test_only_the_department_answers(svc: Service, world: World) -> None:
    demand = svc.demand()
    for actor in (svc.officer, world.county_a_reporter, svc.account):
        with pytest.raises((NotAllowed, DomainError)):
            services.answer_demand(actor=actor, demand=demand, answer="x")


def test_a_stale_version_is_refused(svc: Service) -> None:
    from dudao.core.exceptions import StaleObject

    demand = svc.demand()
    services.accept_demand(actor=svc.land_clerk, demand=demand, version=1)
    with pytest.raises(StaleObject):
        services.answer_demand(actor=svc.land_clerk, demand=demand, answer="x", version=1)


def test_reopen_is_counted_and_the_officer_confirms_on_behalf(svc: Service) -> None:
    demand = svc.demand()
    services.answer_demand(actor=svc.land_clerk, demand=demand, answer="第一次答复")
    with pytest.raises(DomainError):
        services.reopen_demand(actor=svc.account, demand=demand, reason="")
    reopened = services.reopen_demand(actor=svc.account, demand=demand, reason="未落实")
    assert reopened.status == S.IN_PROGRESS
    assert reopened.reopen_count == 1
    services.answer_demand(actor=svc.land_clerk, demand=demand, answer="第二次答复")
    closed = services.confirm_demand(actor=svc.officer, demand=demand, satisfaction=4)
    assert closed.confirmed_on_behalf is True
    assert closed.reopen_count == 1
    note = closed.events.get(action=DemandEvent.Action.CONFIRM).note
    assert "联企干部代企业确认" in note
    with pytest.raises(InvalidTransition):
        services.confirm_demand(actor=svc.account, demand=demand, satisfaction=5)


def test_return_and_reroute(svc: Service, world: World) -> None:
    demand = svc.demand()
    services.return_demand(actor=svc.land_clerk, demand=demand, reason="属发改部门职责")
    rerouted = services.reroute_demand(
        actor=world.city_supervisor, demand=demand, department=world.county_a_drc
    )
    assert rerouted.status == S.PENDING
    assert rerouted.department == world.county_a_drc
    assert list(sel.inbox(svc.land_clerk, timezone.localdate())) == []


def test_escalation_creates_one_ledger_problem(svc: Service, world: World) -> None:
    demand = svc.demand()
    category = ProblemCategory.objects.filter(is_active=True).first()
    assert category is not None
    problem = services.escalate_demand(
        actor=world.city_supervisor, demand=demand, category_id=category.pk, note="需多部门协调"
    )
    assert Problem.objects.filter(source_ref=f"enterprises.demand:{demand.pk}").count() == 1
    assert problem.responsible_org_id == svc.land.pk
    demand.refresh_from_db()
    assert demand.problem_id == problem.pk
    with pytest.raises(InvalidTransition):
        services.escalate_demand(
            actor=world.city_supervisor, demand=demand, category_id=category.pk
        )
    with pytest.raises(NotAllowed):
        services.escalate_demand(actor=svc.officer, demand=demand, category_id=category.pk)


def test_a_visit_records_its_demands_in_one_transaction(svc: Service) -> None:
    data = services.DemandInput(
        category="land", title="用地", content="需用地", department=svc.land
    )
    visit = services.log_visit(
        actor=svc.officer,
        enterprise=svc.firm,
        visited_on=timezone.localdate(),
        people_met="张总经理",
        notes="了解二期建设进展",
        demands=[data],
    )
    assert visit.demands.count() == 1
    bad = services.DemandInput(category="land", title="", content="x", department=svc.land)
    with pytest.raises(DomainError):
        services.log_visit(
            actor=svc.officer,
            enterprise=svc.firm,
            visited_on=timezone.localdate(),
            people_met="李副总",
            demands=[data, bad],
        )
    assert svc.firm.visits.count() == 1
    assert Demand.objects.filter(enterprise=svc.firm).count() == 1
    with pytest.raises(NotAllowed):
        services.log_visit(
            actor=svc.land_clerk,
            enterprise=svc.firm,
            visited_on=timezone.localdate(),
            people_met="x",
        )


def test_league_figures(svc: Service, world: World) -> None:
    first = svc.demand()
    second = svc.demand()
    svc.demand()
    services.answer_demand(actor=svc.land_clerk, demand=first, answer="a")
    services.confirm_demand(actor=svc.account, demand=first, satisfaction=4)
    services.answer_demand(actor=svc.land_clerk, demand=second, answer="b")
    services.reopen_demand(actor=svc.account, demand=second, reason="未解决")
    services.answer_demand(actor=svc.land_clerk, demand=second, answer="c")
    services.confirm_demand(actor=svc.account, demand=second, satisfaction=3)
    today = timezone.localdate()
    rows = sel.league(world.city_supervisor, today.replace(month=1, day=1), today)
    assert len(rows) == 1
    row = rows[0]
    assert (row.received, row.answered, row.on_time, row.closed, row.reopened) == (3, 2, 2, 2, 1)
    assert str(row.satisfaction) == "3.50"
    assert str(row.reopen_rate) == "33.3"
    assert str(row.closed_rate) == "66.7"


def test_coverage_per_officer(svc: Service, world: World) -> None:
    services.log_visit(
        actor=svc.officer, enterprise=svc.firm, visited_on=timezone.localdate(), people_met="张总"
    )
    today = timezone.localdate()
    rows = sel.coverage(world.city_supervisor, today.year, (today.month - 1) // 3 + 1)
    assert [(r.officer, r.assigned, r.visited, r.visits) for r in rows] == [
        (svc.officer.full_name, 1, 1, 1)
    ]


def test_audit_events_are_written(svc: Service) -> None:
    demand = svc.demand()
    services.answer_demand(actor=svc.land_clerk, demand=demand, answer="a")
    services.confirm_demand(actor=svc.account, demand=demand, satisfaction=5)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "enterprises.liaison.assign",
        "enterprises.account.bind",
        "enterprises.demand.raise",
        "enterprises.demand.answer",
        "enterprises.demand.confirm",
    } <= actions


def test_the_enterprise_role_stands_alone(world: World) -> None:
    from dudao.core.roles import role_combination_error

    assert role_combination_error(int(Role.ENTERPRISE)) is None
    assert role_combination_error(int(Role.ENTERPRISE | Role.REPORTER)) is not None
    assert Organisation.objects.exists()
