"""问题台账 in the policy matrix test (dudao/core/tests/policy_matrix.py).

OBJECTS: URL name → (scope, function(world, actor, ownership) → URL kwargs), for URLs with ids.
ALLOWED: (URL name, method) → the status an allowed, in-scope call with an empty form gets.

"own" is a problem assigned to the actor's scope root (its county, its park committee, or the
city); "other" one assigned to another county (404 for county actors).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dudao.core.tests.policy_matrix import ObjectArgs, Ownership, Scope
    from dudao.testing import ActorName, World


def _problem(world: World, actor: ActorName, ownership: Ownership) -> int:
    from dudao.problems.tests.factories import make_problem, scope_root

    user = world.actor(actor)
    if ownership == "own" and user.has_business_role:
        responsible = scope_root(user)
    else:
        responsible = world.other_county(actor)
    return make_problem(world, responsible).pk


def _evidence(world: World, actor: ActorName, ownership: Ownership) -> dict[str, object]:
    from dudao.problems import services
    from dudao.problems.tests.factories import photo_bytes

    pk = _problem(world, actor, ownership)
    evidence = services.add_evidence(
        actor=world.city_supervisor,
        problem=pk,
        stage="before",
        data=photo_bytes(),
        filename="a.jpg",
    )
    return {"pk": pk, "evidence_pk": evidence.pk}


OBJECTS: dict[str, tuple[Scope, ObjectArgs]] = {
    "problems:detail": ("org", lambda w, a, o: {"pk": _problem(w, a, o)}),
    "problems:edit": ("org", lambda w, a, o: {"pk": _problem(w, a, o)}),
    "problems:transition": ("org", lambda w, a, o: {"pk": _problem(w, a, o)}),
    "problems:evidence_upload": ("org", lambda w, a, o: {"pk": _problem(w, a, o)}),
    "problems:evidence_file": ("org", _evidence),
    "api:problem_detail": ("org", lambda w, a, o: {"problem_id": _problem(w, a, o)}),
    "api:problem_transition": ("org", lambda w, a, o: {"problem_id": _problem(w, a, o)}),
    "api:problem_evidence_upload": ("org", lambda w, a, o: {"problem_id": _problem(w, a, o)}),
}

ALLOWED: dict[tuple[str, str], int] = {
    ("problems:list", "GET"): 200,
    ("problems:export", "GET"): 200,
    ("problems:create", "GET"): 200,
    ("problems:create", "POST"): 200,
    ("problems:stats", "GET"): 200,
    ("problems:import", "GET"): 200,
    ("problems:import", "POST"): 200,
    ("problems:import_template", "GET"): 200,
    ("problems:categories", "GET"): 200,
    ("problems:categories", "POST"): 400,
    ("problems:detail", "GET"): 200,
    ("problems:edit", "GET"): 200,
    ("problems:edit", "POST"): 200,
    ("problems:transition", "POST"): 400,
    ("problems:evidence_upload", "POST"): 400,
    ("problems:evidence_file", "GET"): 200,
    ("api:problem_list", "GET"): 200,
    ("api:problem_list", "POST"): 422,
    ("api:problem_detail", "GET"): 200,
    ("api:problem_detail", "PATCH"): 422,
    ("api:problem_transition", "POST"): 422,
    ("api:problem_evidence_upload", "POST"): 422,
    ("api:problem_category_list", "GET"): 200,
    ("api:problem_unit_stats", "GET"): 200,
    ("api:problem_import", "POST"): 422,
}
