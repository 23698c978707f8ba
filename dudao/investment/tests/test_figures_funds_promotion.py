"""Funds in place (reported, verified by another unit, capped without a note), the §5.3 metrics per
county against hand-computed fractions (a zero denominator shown as "—"), the promotion into the
project registry (both links, idempotent) and the hand-over of a stalled deal to the ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dudao.core.exceptions import DomainError, InvalidTransition, NotAllowed
from dudao.investment import figures, services
from dudao.investment.models import Deal, DealFunding, IndustryChain, Stage
from dudao.investment.tests.factories import EXAMPLE, make_deal, walk
from dudao.problems.models import Problem, ProblemCategory
from dudao.projects.models import Project, ProjectCategory
from dudao.testing import World

pytestmark = pytest.mark.django_db
D = Decimal


def _last_month() -> dt.date:
    return timezone.localdate().replace(day=1) - dt.timedelta(days=1)


def test_funds_are_verified_by_another_unit(world: World) -> None:
    deal = walk(world, make_deal(world), Stage.SIGNED)
    row = services.report_funds(
        actor=world.county_a_reviewer,
        deal=deal,
        month=_last_month(),
        amount="1200.5",
        evidence="进账单",
    )
    assert row.month == _last_month().replace(day=1)
    assert not row.verified
    with pytest.raises(NotAllowed, match="报送单位以外"):
        services.verify_funds(actor=world.county_a_reviewer, funding=row, version=row.version)
    row = services.verify_funds(actor=world.city_supervisor, funding=row, version=row.version)
    assert row.verified
    assert row.verifier_org == world.city_supervisor.organisation
    with pytest.raises(InvalidTransition, match="已核实"):
        services.report_funds(
            actor=world.county_a_reporter, deal=deal, month=_last_month(), amount="1", evidence="x"
        )


def test_funds_beyond_the_contract_need_a_note(world: World) -> None:
    deal = walk(world, make_deal(world), Stage.SIGNED)  # contract 50,000 万元
    with pytest.raises(DomainError, match="超过合同投资额"):
        services.report_funds(
            actor=world.county_a_reporter,
            deal=deal,
            month=_last_month(),
            amount="50000.01",
            evidence="x",
        )
    row = services.report_funds(
        actor=world.county_a_reporter,
        deal=deal,
        month=_last_month(),
        amount="50000.01",
        evidence="进账单",
        note="投资方追加投资，增资协议已签",
    )
    assert row.amount == D("50000.01")


def test_funds_before_signing_or_in_the_future_are_refused(world: World) -> None:
    deal = make_deal(world)
    with pytest.raises(InvalidTransition, match="签约后"):
        services.report_funds(
            actor=world.county_a_reporter, deal=deal, month=_last_month(), amount="1", evidence="x"
        )
    deal = walk(world, deal, Stage.SIGNED)
    future = timezone.localdate().replace(day=1) + dt.timedelta(days=40)
    with pytest.raises(DomainError, match="未来月份"):
        services.report_funds(
            actor=world.county_a_reporter, deal=deal, month=future, amount="1", evidence="x"
        )
    with pytest.raises(DomainError, match=r"不是有限|超出"):
        services.report_funds(
            actor=world.county_a_reporter,
            deal=deal,
            month=_last_month(),
            amount="1e300",
            evidence="x",
        )
    assert not DealFunding.objects.exists()


def test_metrics_per_county_against_hand_computed_fractions(world: World) -> None:
    start = timezone.localdate() - dt.timedelta(days=20)
    year = (start + dt.timedelta(days=1)).year  # every deal is signed the day after `start`
    chain = IndustryChain.objects.create(name="新材料", kind="leading", organisation=world.city)

    def signed(to: str, **fields: Any) -> Deal:
        return walk(world, make_deal(world, lead_on=start, **fields), to, start=start)

    a = signed(Stage.PRODUCING, chain=chain)  # counts: registered, started, producing, in chain
    b = signed(Stage.STARTED)  # registered, started
    c = signed(Stage.SIGNED, contract_investment=D("30000"))  # signed only
    d = signed(Stage.REGISTERED)
    d = services.terminate(
        actor=world.county_a_reporter, deal=d, version=d.version, reason="investor", note="撤资"
    )
    signed(
        Stage.SIGNED, signing_kind="capital_increase", contract_investment=D("8000")
    )  # amount only
    signed(Stage.SIGNED, signing_kind="upgrade")  # counts, no amount
    make_deal(world)  # a lead: not signed, not counted
    month = (start + dt.timedelta(days=1)).replace(day=1)
    verified = services.report_funds(
        actor=world.county_a_reporter, deal=a, month=month, amount="20000", evidence="x"
    )
    services.verify_funds(actor=world.city_supervisor, funding=verified, version=verified.version)
    services.report_funds(
        actor=world.county_a_reporter, deal=b, month=month, amount="9999", evidence="x"
    )  # unverified

    rows = figures.county_figures(world.city_supervisor, year, [world.county_a, world.county_b])
    ra, rb = rows
    # signed: a, b, c, d (terminated), upgrade = 5 projects; the 增资 deal is not a project
    assert ra.signed == 5
    # amount: a 50,000 + b 50,000 + c 30,000 + d 50,000 + 增资 8,000 + 升格 0
    assert ra.signed_amount == D("188000")
    r = ra.ratios
    # 履约 (registered and on): a and b; d registered but terminated
    assert (r["performance"].numerator, r["performance"].denominator) == (D(2), D(5))
    assert r["performance"].display == "40.0%"
    assert (r["performance_loose"].numerator, r["performance_loose"].denominator) == (D(4), D(5))
    assert (r["start"].numerator, r["production"].numerator) == (D(2), D(1))
    assert r["start"].display == "40.0%"
    assert r["production"].display == "20.0%"
    # 资金到位率: verified 20,000 ÷ contract of the signed, live deals
    # (a 50,000 + b 50,000 + c 30,000 + upgrade 50,000)
    assert (r["funds"].numerator, r["funds"].denominator) == (D("20000"), D("180000"))
    assert r["funds"].display == "11.1%"
    assert (r["fit"].numerator, r["fit"].denominator) == (D(1), D(5))
    assert c.stage == Stage.SIGNED
    # county B signed nothing: every ratio is "—"
    assert rb.signed == 0
    assert {x.display for x in rb.ratios.values()} == {"—"}
    # a county sees only its own county's figures
    only_b = figures.county_figures(world.county_b_reporter, year, [world.county_a])
    assert only_b[0].signed == 0


def test_promotion_links_both_ways_and_is_idempotent(world: World) -> None:
    deal = walk(
        world,
        make_deal(world, industry_code="3411", leader="王副县长"),
        Stage.APPROVED,
        code="2604-410100-30-03-000123",
    )
    category = ProjectCategory.objects.filter(is_active=True).first()
    assert category is not None
    before = Project.objects.count()
    deal = services.promote(
        actor=world.county_a_reporter,
        deal=deal,
        version=deal.version,
        category=category,
        level="county",
    )
    project = deal.project
    assert project is not None
    assert Project.objects.count() == before + 1
    assert (project.name, project.county, project.total_investment) == (
        deal.name,
        world.county_a,
        D("50000"),
    )
    assert (project.industry_code, project.code, project.lead_leader) == (
        "3411",
        "2604-410100-30-03-000123",
        "王副县长",
    )
    assert project.stage == "preparation"
    assert Deal.objects.get(project=project) == deal  # the reverse of Project.investment_deal
    again = services.promote(
        actor=world.county_a_reporter,
        deal=deal,
        version=deal.version - 5,
        category=category,
        level="city",
    )
    assert again.project_id == project.pk
    assert Project.objects.count() == before + 1
    assert deal.events.filter(action="promote").count() == 1


def test_promotion_only_at_land_or_start_and_not_while_failed(world: World) -> None:
    category = ProjectCategory.objects.filter(is_active=True).first()
    deal = walk(world, make_deal(world), Stage.SIGNED)
    with pytest.raises(InvalidTransition, match="供地/立项"):
        services.promote(
            actor=world.county_a_reporter,
            deal=deal,
            version=deal.version,
            category=category,
            level="county",
        )
    failing = walk(world, make_deal(world, **EXAMPLE), Stage.APPROVED, override=True)
    # the land check (供地) runs again and fails again: override needed once more
    failing = services.move_back(
        actor=world.county_a_reporter,
        deal=failing,
        version=failing.version,
        to_stage=Stage.REGISTERED,
        reason="重新供地",
    )
    failing = services.advance(
        actor=world.county_a_reporter,
        deal=failing,
        version=failing.version,
        on=timezone.localdate(),
        evidence="供地批复",
        project_code="2604-410100-30-03-000999",
    )
    assert failing.screening == Deal.Screening.FAILED
    with pytest.raises(InvalidTransition, match="特批"):
        services.promote(
            actor=world.county_a_reporter,
            deal=failing,
            version=failing.version,
            category=category,
            level="county",
        )
    assert failing.project_id is None


def test_a_stalled_deal_goes_to_the_problem_ledger(world: World) -> None:
    deal = walk(world, make_deal(world), Stage.SIGNED)
    category = ProblemCategory.objects.filter(is_active=True).first()
    problem = services.send_to_ledger(actor=world.city_supervisor, deal=deal, category=category)
    assert isinstance(problem, Problem)
    assert problem.responsible_org == world.county_a_drc
    assert problem.source_ref == f"investment.deal:{deal.pk}"
    assert deal.events.filter(action="send").exists()
    with pytest.raises(NotAllowed):
        services.send_to_ledger(actor=world.county_a_reporter, deal=deal, category=category)


def test_the_projects_approved_reports_drive_the_promoted_deal(world: World) -> None:
    from dudao.projects.models import MonthlyReport
    from dudao.projects.testing import node, report

    deal = walk(world, make_deal(world), Stage.APPROVED, code="2604-410100-30-03-000321")
    category = ProjectCategory.objects.filter(is_active=True).first()
    deal = services.promote(
        actor=world.county_a_reporter,
        deal=deal,
        version=deal.version,
        category=category,
        level="county",
    )
    assert deal.project is not None
    today = timezone.localdate()
    report(
        world,
        deal.project,
        today.month,
        "100",
        year=today.year,
        node=node("START"),
        node_date=today,
        status=MonthlyReport.Status.APPROVED,
    )
    deal.refresh_from_db()
    assert deal.stage == Stage.STARTED
    assert deal.started_on == today
    last = deal.events.last()
    assert last is not None
    assert (last.action, last.from_stage, last.to_stage) == (
        "advance",
        Stage.APPROVED,
        Stage.STARTED,
    )
