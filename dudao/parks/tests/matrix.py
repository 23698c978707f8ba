"""产业集聚区 in the policy matrix test (dudao/core/tests/policy_matrix.py).

OBJECTS: URL name → (scope, function(world, actor, ownership) → URL kwargs), for URLs with ids.
ALLOWED: (URL name, method) → the status an allowed, in-scope call with an empty form gets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dudao.parks.models import Park

if TYPE_CHECKING:
    from dudao.core.tests.policy_matrix import ObjectArgs, Ownership, Scope
    from dudao.testing import ActorName, World


def park_of(world: World, actor: ActorName, ownership: Ownership) -> Park:
    """The park in the actor's county (own) or in the other county, created on first use."""
    county = world.home_county(actor) if ownership == "own" else world.other_county(actor)
    org = world.park_a if county == world.county_a else world.park_b
    park, _ = Park.objects.get_or_create(
        organisation=org, defaults={"code": f"M-{org.code}", "name": org.name, "county": county}
    )
    return park


def _park(world: World, actor: ActorName, ownership: Ownership) -> dict[str, object]:
    return {"pk": park_of(world, actor, ownership).pk}


def _park_api(world: World, actor: ActorName, ownership: Ownership) -> dict[str, object]:
    return {"park_id": park_of(world, actor, ownership).pk}


OBJECTS: dict[str, tuple[Scope, ObjectArgs]] = {
    "parks:detail": ("org", _park),
    "api:parks_detail": ("org", _park_api),
}
ALLOWED: dict[tuple[str, str], int] = {
    ("parks:list", "GET"): 200,
    ("parks:detail", "GET"): 200,
    ("parks:import", "GET"): 200,
    ("parks:import", "POST"): 200,
    ("parks:import_template", "GET"): 200,
    ("api:parks_list", "GET"): 200,
    ("api:parks_detail", "GET"): 200,
}
