"""省级考评 in the policy matrix test (dudao/core/tests/policy_matrix.py).

OBJECTS: URL name → (scope, function(world, actor, ownership) → URL kwargs), for URLs with ids.
ALLOWED: (URL name, method) → the status an allowed, in-scope call with an empty form gets.

Evaluation data is province-wide comparison data ("global"): every business user reads every
park's results, so "another county's" object is the same as one's own.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dudao.core.tests.policy_matrix import ObjectArgs, Ownership, Scope
    from dudao.testing import ActorName, World

YEAR = 2020


def _computed(world: World) -> Any:
    """A regime with one park's inputs and its computed 2020 result (one per world)."""
    return world.once("evaluation.computed", lambda: _compute(world))


def _compute(world: World) -> Any:
    from dudao.evaluation import services
    from dudao.evaluation.models import Result
    from dudao.evaluation.tests.factories import make_park, make_regime, next_code

    regime = make_regime(world.city_supervisor, code=next_code())
    park = make_park()
    services.set_inputs(
        actor=world.city_supervisor,
        regime=regime,
        year=YEAR,
        values={(park.pk, "tax"): Decimal(10)},
    )
    services.compute_results(actor=world.city_supervisor, regime=regime, year=YEAR)
    return Result.objects.get(regime=regime, park=park)


def _regime(w: World, a: ActorName, o: Ownership) -> dict[str, object]:
    return {"pk": _computed(w).regime_id}


def _year(w: World, a: ActorName, o: Ownership) -> dict[str, object]:
    return {"pk": _computed(w).regime_id, "year": YEAR}


def _code_year(w: World, a: ActorName, o: Ownership) -> dict[str, object]:
    return {"code": _computed(w).regime.code, "year": YEAR}


def _indicator(w: World, a: ActorName, o: Ownership) -> dict[str, object]:
    from dudao.evaluation.models import Indicator

    regime_id = _computed(w).regime_id
    return {"pk": Indicator.objects.filter(regime_id=regime_id).first().pk}  # type: ignore[union-attr]


OBJECTS: dict[str, tuple[Scope, ObjectArgs]] = {
    "evaluation:regime_detail": ("global", _regime),
    "evaluation:regime_edit": ("global", _regime),
    "evaluation:regime_config": ("global", _regime),
    "evaluation:indicator_create": ("global", _regime),
    "evaluation:indicator_edit": ("global", _indicator),
    "evaluation:results": ("global", _year),
    "evaluation:inputs": ("global", _year),
    "evaluation:inputs_export": ("global", _year),
    "evaluation:compute": ("global", _year),
    "evaluation:result_set_delete": ("global", _year),
    "evaluation:result_detail": ("global", lambda w, a, o: {"pk": _computed(w).pk}),
    "evaluation:import_template": ("global", lambda w, a, o: {"kind": "evaluation-inputs"}),
    "api:evaluation_regime_detail": ("global", lambda w, a, o: {"code": _computed(w).regime.code}),
    "api:evaluation_ranking": ("global", _code_year),
    "api:evaluation_comparison": ("global", _code_year),
    "api:evaluation_result_detail": ("global", lambda w, a, o: {"result_id": _computed(w).pk}),
    "api:evaluation_compute": ("global", _code_year),
}
ALLOWED: dict[tuple[str, str], int] = {
    ("evaluation:comparison", "GET"): 200,
    ("evaluation:parks", "GET"): 200,
    ("evaluation:regime_list", "GET"): 200,
    ("evaluation:regime_create", "GET"): 200,
    ("evaluation:regime_create", "POST"): 200,
    ("evaluation:regime_detail", "GET"): 200,
    ("evaluation:regime_edit", "GET"): 200,
    ("evaluation:regime_edit", "POST"): 200,
    ("evaluation:regime_config", "POST"): 302,  # unknown operation: message, back to the page
    ("evaluation:indicator_create", "GET"): 200,
    ("evaluation:indicator_create", "POST"): 200,
    ("evaluation:indicator_edit", "GET"): 200,
    ("evaluation:indicator_edit", "POST"): 200,
    ("evaluation:results", "GET"): 200,
    ("evaluation:inputs", "GET"): 200,
    ("evaluation:inputs", "POST"): 400,  # nothing received
    ("evaluation:inputs_export", "GET"): 200,
    ("evaluation:compute", "POST"): 302,
    ("evaluation:result_set_delete", "POST"): 302,  # no reason: message, back to the ranking
    ("evaluation:result_detail", "GET"): 200,
    ("evaluation:import", "GET"): 200,
    ("evaluation:import", "POST"): 200,
    ("evaluation:import_template", "GET"): 200,
    ("api:evaluation_regime_list", "GET"): 200,
    ("api:evaluation_regime_detail", "GET"): 200,
    ("api:evaluation_ranking", "GET"): 200,
    ("api:evaluation_comparison", "GET"): 200,
    ("api:evaluation_result_detail", "GET"): 200,
    ("api:evaluation_compute", "POST"): 200,
}
