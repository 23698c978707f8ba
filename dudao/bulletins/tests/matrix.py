"""督查通报 in the policy matrix test (dudao/core/tests/policy_matrix.py).

"own" is an issued bulletin for the actor's home county (sent to it and its park committee);
"other" one for the other county (404 for county actors; a city-wide actor sees both).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dudao.core.tests.policy_matrix import ObjectArgs, Ownership, Scope
    from dudao.testing import ActorName, World


def _bulletin(world: World, actor: ActorName, ownership: Ownership) -> int:
    from dudao.bulletins.tests.factories import issued

    county = world.home_county(actor) if ownership == "own" else world.other_county(actor)
    return world.once(("bulletin", county.pk), lambda: issued(world, county).pk)


def _pk(w: World, a: ActorName, o: Ownership) -> dict[str, object]:
    return {"pk": _bulletin(w, a, o)}


def _api(w: World, a: ActorName, o: Ownership) -> dict[str, object]:
    return {"bulletin_id": _bulletin(w, a, o)}


OBJECTS: dict[str, tuple[Scope, ObjectArgs]] = {
    "bulletins:detail": ("org", _pk),
    "bulletins:edit_paragraph": ("org", _pk),
    "bulletins:override": ("org", _pk),
    "bulletins:transition": ("org", _pk),
    "bulletins:docx": ("org", _pk),
    "bulletins:pdf": ("org", _pk),
    "api:bulletin_detail": ("org", _api),
    "api:bulletin_transition": ("org", _api),
    "api:bulletin_docx": ("org", _api),
}


def _pdf_status() -> int:
    from dudao.bulletins import pdf

    return 200 if pdf.pdf_available() else 404


ALLOWED: dict[tuple[str, str], int] = {
    ("bulletins:list", "GET"): 200,
    ("bulletins:create", "POST"): 302,
    ("bulletins:detail", "GET"): 200,
    ("bulletins:edit_paragraph", "POST"): 409,
    ("bulletins:override", "POST"): 409,
    ("bulletins:transition", "POST"): 400,
    ("bulletins:docx", "GET"): 200,
    ("bulletins:pdf", "GET"): _pdf_status(),
    ("api:bulletin_list", "GET"): 200,
    ("api:bulletin_list", "POST"): 422,
    ("api:bulletin_detail", "GET"): 200,
    ("api:bulletin_transition", "POST"): 422,
    ("api:bulletin_docx", "GET"): 200,
}
