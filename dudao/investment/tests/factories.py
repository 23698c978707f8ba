"""Typed helpers for the 招商引资 tests: deals built and moved through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dudao.accounts.models import User
from dudao.investment import rules, services
from dudao.investment.models import Deal, Stage
from dudao.orgs.models import Organisation
from dudao.testing import World

VALID_USCC = "91110000600037341L"  # python-stdnum's doctest example (§9.11)

# The worked example of §9.10: 总投资 5 亿 (固定资产 4.5 亿), 100 亩, 税收 2,000 万元/年,
# 容积率 1.2, 建筑系数 45% — fails 亩均税收 (20 < 30) under the shipped county rule.
EXAMPLE: dict[str, Any] = {
    "contract_investment": Decimal("50000"),
    "fixed_asset_investment": Decimal("45000"),
    "land_mu": Decimal("100"),
    "expected_tax": Decimal("2000"),
    "plot_ratio": Decimal("1.2"),
    "building_coverage": Decimal("45"),
}
# The same deal with enough tax to pass every shipped standard.
PASSING: dict[str, Any] = {**EXAMPLE, "expected_tax": Decimal("3500")}


def scope_root(user: User) -> Organisation:
    return Organisation.objects.get(path=user.organisation.scope_path)


def make_deal(
    world: World,
    responsible: Organisation | None = None,
    *,
    actor: User | None = None,
    lead_on: dt.date | None = None,
    **fields: Any,
) -> Deal:
    """A deal (线索) of `responsible` (county A's 发改委 by default), registered by the city."""
    data = {**PASSING, **fields}
    return services.create_deal(
        actor=actor or world.city_supervisor,
        name=data.pop("name", "示范新材料产业园项目"),
        investor=data.pop("investor", "示范投资集团有限公司"),
        responsible_org=responsible or world.county_a_drc,
        lead_on=lead_on or timezone.localdate() - dt.timedelta(days=400),
        **data,
    )


def advance_args(stage: str) -> dict[str, Any]:
    """What reaching `stage` needs besides a date and evidence."""
    if stage == Stage.SIGNED:
        return {"agreement_type": Deal.Agreement.FORMAL}
    if stage == Stage.REGISTERED:
        return {"uscc": VALID_USCC}
    if stage == Stage.APPROVED:
        return {"project_code": ""}
    return {}


def walk(
    world: World,
    deal: Deal,
    to: str,
    *,
    actor: User | None = None,
    start: dt.date | None = None,
    override: bool = True,
    code: str = "",
    step: int = 1,
) -> Deal:
    """Advance `deal` stage by stage to `to`, `step` days apart from `start`; a failed screening is
    overridden by the city's 督查员 when `override`."""
    day = start or timezone.localdate() - dt.timedelta(days=300)
    while rules.stage_index(deal.stage) < rules.stage_index(to):
        target = rules.next_stage(deal.stage)
        assert target is not None
        extra = advance_args(target)
        if target == Stage.APPROVED:
            extra["project_code"] = code or f"2604-410100-30-03-{deal.pk:06d}"
        deal = services.advance(
            actor=actor or world.county_a_reporter,
            deal=deal,
            version=deal.version,
            on=day,
            evidence=f"{Stage(target).label}佐证",
            **extra,
        )
        if deal.screening == Deal.Screening.FAILED and override:
            deal = services.override_screening(
                actor=world.city_supervisor,
                deal=deal,
                version=deal.version,
                reason="市政府专题会议同意",
            )
        day += dt.timedelta(days=step)
    return deal
