"""The enterprises app in the policy matrix test (dudao/core/tests/policy_matrix.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stdnum.cn import uscc as stdnum_uscc

from dudao.enterprises.models import Enterprise

if TYPE_CHECKING:
    from dudao.core.tests.policy_matrix import ObjectArgs, Ownership, Scope
    from dudao.testing import ActorName, World


def enterprise_of(world: World, actor: ActorName, ownership: Ownership) -> Enterprise:
    """An enterprise managed by the park committee of the actor's county (own) or of the
    other county, created on first use."""
    county = world.home_county(actor) if ownership == "own" else world.other_county(actor)
    org = world.park_a if county == world.county_a else world.park_b
    body = f"91410100{org.pk:09d}"
    found, _ = Enterprise.objects.get_or_create(
        uscc=body + stdnum_uscc.calc_check_digit(body),
        defaults={"name": f"{org.name}矩阵测试企业", "organisation": org, "industry_code": "3562"},
    )
    return found


def _enterprise(world: World, actor: ActorName, ownership: Ownership) -> dict[str, object]:
    return {"pk": enterprise_of(world, actor, ownership).pk}


def _enterprise_api(world: World, actor: ActorName, ownership: Ownership) -> dict[str, object]:
    return {"enterprise_id": enterprise_of(world, actor, ownership).pk}


def _year(world: World, actor: ActorName, ownership: Ownership) -> dict[str, object]:
    return {"year": 2025}


OBJECTS: dict[str, tuple[Scope, ObjectArgs]] = {
    "enterprises:detail": ("org", _enterprise),
    "api:enterprises_detail": ("org", _enterprise_api),
    "api:enterprises_results": ("global", _year),
}

ALLOWED: dict[tuple[str, str], int] = {
    ("enterprises:list", "GET"): 200,
    ("enterprises:detail", "GET"): 200,
    ("enterprises:grades", "GET"): 200,
    ("enterprises:grades_export", "GET"): 200,
    ("api:enterprises_list", "GET"): 200,
    ("api:enterprises_detail", "GET"): 200,
    ("api:enterprises_results", "GET"): 404,
}
