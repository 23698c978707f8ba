"""年度目标 in the policy matrix test (dudao/core/tests/policy_matrix.py).

OBJECTS: URL name → (scope, function(world, actor, ownership) → URL kwargs), for URLs with ids.
ALLOWED: (URL name, method) → the status an allowed, in-scope call with an empty form gets.

An "own" sheet holds a row of the actor's own unit (county actors) or of county A (city actors);
an "other" sheet only a row of the other county. Pages answer a refused or invalid POST with a
redirect and a message (302) or the form again (200); the API answers an empty body with 422.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from dudao.targets.models import TargetIndicator, TargetRow, TargetSet
from dudao.testing import COUNTY_ACTORS

if TYPE_CHECKING:
    from dudao.core.tests.policy_matrix import ObjectArgs, Ownership, Scope
    from dudao.orgs.models import Organisation
    from dudao.testing import ActorName, World


def _unit(world: World, actor: ActorName, ownership: Ownership) -> Organisation:
    if ownership == "other":
        return world.other_county(actor)
    if actor in COUNTY_ACTORS:
        return world.actor(actor).organisation
    return world.county_a


def _row(world: World, actor: ActorName, ownership: Ownership) -> TargetRow:
    """A row of the unit in a sheet holding only its county's rows (county A: this year's
    sheet, county B: last year's), so another county's sheet is out of a county's scope."""
    unit = _unit(world, actor, ownership)
    year = timezone.localdate().year - (0 if unit.path.startswith(world.county_a.path) else 1)
    ts, _ = TargetSet.objects.get_or_create(
        year=year,
        issuer=world.city,
        defaults={
            "level": TargetSet.Level.CITY_TO_COUNTY,
            "title": "矩阵测试目标表",
            "status": TargetSet.Status.APPROVED,
        },
    )
    row, _ = TargetRow.objects.get_or_create(
        target_set=ts,
        unit=unit,
        indicator=TargetIndicator.objects.get(code="fai"),
        defaults={"kind": "absolute", "target_value": Decimal(1000000)},
    )
    return row


def _set_kw(key: str) -> ObjectArgs:
    return lambda w, a, o: {key: _row(w, a, o).target_set_id}


def _row_kw(key: str) -> ObjectArgs:
    return lambda w, a, o: {key: _row(w, a, o).pk}


OBJECTS: dict[str, tuple[Scope, ObjectArgs]] = {
    "targets:set_detail": ("org", _set_kw("pk")),
    "targets:set_approve": ("org", _set_kw("pk")),
    "targets:row_edit": ("org", _row_kw("pk")),
    "targets:improve": ("org", _row_kw("pk")),
    "api:targets_set_detail": ("org", _set_kw("set_id")),
    "api:targets_improve": ("org", _row_kw("row_id")),
}

ALLOWED: dict[tuple[str, str], int] = {
    ("targets:set_list", "GET"): 200,
    ("targets:set_detail", "GET"): 200,
    ("targets:set_approve", "POST"): 302,
    ("targets:standings", "GET"): 200,
    ("targets:weak_links", "GET"): 200,
    ("targets:import", "GET"): 200,
    ("targets:import", "POST"): 200,
    ("targets:row_edit", "GET"): 200,
    ("targets:row_edit", "POST"): 302,
    ("targets:improve", "POST"): 302,
    ("targets:settings", "GET"): 200,
    ("targets:settings", "POST"): 200,
    ("targets:classes", "GET"): 200,
    ("targets:classes", "POST"): 200,
    ("api:targets_set_list", "GET"): 200,
    ("api:targets_set_detail", "GET"): 200,
    ("api:targets_progress", "GET"): 200,
    ("api:targets_standings", "GET"): 200,
    ("api:targets_weak_links", "GET"): 200,
    ("api:targets_improve", "POST"): 422,
}
