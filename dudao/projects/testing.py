"""Factories for tests of 重大项目 (and of the modules that reference projects): everything
is built through the services, as in production."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dudao.accounts.models import User
from dudao.orgs.models import Organisation
from dudao.parks.selectors import reference_parks
from dudao.projects import services
from dudao.projects.models import AreaCode, MilestoneNode, MonthlyReport, Project, ProjectCategory
from dudao.testing import World

if TYPE_CHECKING:
    from dudao.parks.models import Park

_serial = itertools.count(1)
TEST_AREA = "419901"


def ensure_area_code() -> None:
    AreaCode.objects.get_or_create(
        code=TEST_AREA, defaults={"name": "测试功能区", "kind": AreaCode.Kind.DEMO}
    )


def park_for(org: Organisation, county: Organisation) -> Park:
    park, _ = reference_parks().get_or_create(
        organisation=org, defaults={"code": f"TP-{org.pk}", "name": org.name, "county": county}
    )
    return park


def make_project(
    world: World,
    *,
    county: Organisation | None = None,
    actor: User | None = None,
    total: Decimal = Decimal("50000"),
    plan: Decimal | None = Decimal("20000"),
    year: int = 2026,
    stage: str = Project.Stage.NEW,
    park: Park | None = None,
    category: str = "industry",
    planned_start: date | None = None,
    actual_start: date | None = date(2026, 1, 15),
    **extra: Any,
) -> Project:
    ensure_area_code()
    county = county or world.county_a
    actor = actor or world.city_supervisor
    n = next(_serial)
    milestones = {}
    if planned_start or actual_start:
        milestones["START"] = (planned_start, actual_start)
    project = services.create_project(
        actor=actor,
        code=f"2601-{TEST_AREA}-{n % 100:02d}-03-{n:06d}",
        name=f"测试项目{n}",
        category=ProjectCategory.objects.get(code=category),
        stage=stage,
        level=Project.Level.CITY,
        county=county,
        park=park,
        total_investment=total,
        milestones=milestones,
        **extra,
    )
    if plan is not None:
        services.save_plan(actor=actor, project=project, year=year, planned_investment=plan)
    return project


def report(
    world: World,
    project: Project,
    month: int,
    invest: Decimal | str,
    *,
    year: int = 2026,
    status: str = MonthlyReport.Status.DRAFT,
    reporter: User | None = None,
    reviewer: User | None = None,
    **fields: Any,
) -> MonthlyReport:
    """A report for `month` brought to `status` through the services."""
    reporter = reporter or world.county_a_reporter
    reviewer = reviewer or world.county_a_reviewer
    data = services.ReportInput(invest_month=Decimal(invest), **fields)
    r = services.save_report(actor=reporter, project=project, year=year, month=month, data=data)
    if status in (MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.APPROVED):
        r = services.submit_report(actor=reporter, report=r)
    if status == MonthlyReport.Status.APPROVED:
        r = services.approve_report(actor=reviewer, report=r)
    return r


def node(code: str) -> MilestoneNode:
    return MilestoneNode.objects.get(code=code)
