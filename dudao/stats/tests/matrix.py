"""统计指标 in the policy matrix test (dudao/core/tests/policy_matrix.py).

OBJECTS: URL name → (scope, function(world, actor, ownership) → URL kwargs), for URLs with ids.
ALLOWED: (URL name, method) → the status an allowed, in-scope call with an empty form gets.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from dudao.parks.tests.matrix import park_of
from dudao.stats.models import Indicator, IndicatorValue

if TYPE_CHECKING:
    from dudao.core.tests.policy_matrix import ObjectArgs, Ownership, Scope
    from dudao.testing import ActorName, World


def _value(world: World, actor: ActorName, ownership: Ownership) -> dict[str, object]:
    park = park_of(world, actor, ownership)
    row, _ = IndicatorValue.objects.get_or_create(
        organisation=park.organisation,
        indicator=Indicator.objects.get(code="fai"),
        period=dt.date(2025, 3, 1),
        defaults={"value": Decimal("100")},
    )
    return {"value_id": row.pk}


def _profile(world: World, actor: ActorName, ownership: Ownership) -> dict[str, object]:
    return {"park_id": park_of(world, actor, ownership).pk}


OBJECTS: dict[str, tuple[Scope, ObjectArgs]] = {
    "api:stats_value_transition": ("org", _value),
    "api:parks_profile": ("org", _profile),
}
ALLOWED: dict[tuple[str, str], int] = {
    ("stats:summary", "GET"): 200,
    ("stats:entry", "GET"): 200,
    ("stats:entry", "POST"): 200,
    ("stats:transition", "POST"): 302,
    ("stats:grid_export", "GET"): 200,
    ("stats:grid_import", "GET"): 200,
    ("stats:grid_import", "POST"): 200,
    ("stats:settings", "GET"): 200,
    ("stats:settings", "POST"): 200,
    ("stats:catalogue_import", "GET"): 200,
    ("stats:catalogue_import", "POST"): 200,
    ("stats:catalogue_import_template", "GET"): 200,
    ("stats:review", "GET"): 200,
    ("api:stats_indicator_list", "GET"): 200,
    ("api:stats_value_list", "GET"): 200,
    ("api:stats_value_save", "POST"): 422,
    ("api:stats_value_transition", "POST"): 422,  # the one body parser: a missing body is 422
    ("api:stats_value_import", "POST"): 400,
    ("api:stats_summary", "GET"): 422,
    ("api:parks_profile", "GET"): 200,
}
