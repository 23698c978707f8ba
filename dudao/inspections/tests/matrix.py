"""观摩督导 in the policy matrix test (dudao/core/tests/policy_matrix.py).

OBJECTS: URL name → (scope, function(world, actor, ownership) → URL kwargs), for URLs with ids.
ALLOWED: (URL name, method) → the status an allowed, in-scope call with an empty form gets.

Tours are "unpublished": the matrix tour is being scored, so only its organisers and judges
(city-wide actors) see it and every county actor gets 404. Sites, findings and photos are "org":
they belong to a county (county A is "own" for county actors and city actors, county B "other").
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dudao.core.tests.policy_matrix import ObjectArgs, Ownership, Scope
    from dudao.inspections.tests.factories import TourWorld
    from dudao.testing import ActorName, World


def _tour_world(world: World, method: str = "trimmed_mean") -> TourWorld:
    from dudao.inspections.tests.factories import make_tour_world

    return world.once(
        ("inspections.tour_world", method),
        lambda: make_tour_world(world, county_judge=False, method=method),
    )


def _tour(w: World, a: ActorName, o: Ownership) -> dict[str, object]:
    return {"pk": _tour_world(w).tour.pk}


def _tour_id(w: World, a: ActorName, o: Ownership) -> object:
    return _tour(w, a, o)["pk"]


def _vote_tour(w: World, a: ActorName, o: Ownership) -> dict[str, object]:
    return {"pk": _tour_world(w, method="rank_vote").tour.pk}


def _site(w: World, a: ActorName, o: Ownership) -> object:
    tw = _tour_world(w)
    own = w.home_county(a) == w.county_a
    return tw.site_a if (o == "own") == own else tw.site_b


def _site_kwargs(w: World, a: ActorName, o: Ownership) -> dict[str, object]:
    return {"site_pk": _site(w, a, o).pk}  # type: ignore[attr-defined]


def _finding(w: World, a: ActorName, o: Ownership) -> dict[str, object]:
    from dudao.inspections import services
    from dudao.inspections.models import Site

    site = _site(w, a, o)
    assert isinstance(site, Site)
    finding = services.record_finding(actor=w.judge, site=site, title="测试问题")
    return {"pk": finding.pk}


def _photo(w: World, a: ActorName, o: Ownership) -> dict[str, object]:
    from PIL import Image

    from dudao.inspections import services
    from dudao.inspections.models import Site

    site = _site(w, a, o)
    assert isinstance(site, Site)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    card = services.attach_photo(actor=w.judge, site=site, data=buffer.getvalue(), name="a.jpg")
    return {"pk": card.pk}


def _sheet() -> int:
    from dudao.inspections.models import ScoreSheet

    return ScoreSheet.objects.get(code="industry").pk


TOUR: tuple[Scope, ObjectArgs] = ("unpublished", _tour)
SITE: tuple[Scope, ObjectArgs] = ("org", _site_kwargs)
TOUR_ID: tuple[Scope, ObjectArgs] = ("unpublished", lambda w, a, o: {"tour_id": _tour_id(w, a, o)})
VOTE_TOUR_ID: tuple[Scope, ObjectArgs] = (
    "unpublished",
    lambda w, a, o: {"tour_id": _vote_tour(w, a, o)["pk"]},
)

OBJECTS: dict[str, tuple[Scope, ObjectArgs]] = {
    **{
        f"inspections:{name}": TOUR
        for name in (
            "detail",
            "plan_add",
            "transition",
            "schedule",
            "progress",
            "results",
            "summary",
            "export",
            "findings",
            "edit",
            "cancel",
            "site_search",
            "plan_import",
            "plan_template",
        )
    },
    "inspections:vote": ("unpublished", _vote_tour),
    "inspections:sheet_edit": ("global", lambda w, a, o: {"pk": _sheet()}),
    "inspections:finding_decide": ("org", _finding),
    "inspections:score": SITE,
    "inspections:photo": SITE,
    "inspections:site_finding": SITE,
    "inspections:card_photo": ("unpublished", _photo),  # a site of the tour in scoring
    "api:inspection_tour_results": (
        "unpublished",
        lambda w, a, o: {"tour_id": _tour(w, a, o)["pk"]},
    ),
    "api:inspection_tour_progress": (
        "unpublished",
        lambda w, a, o: {"tour_id": _tour(w, a, o)["pk"]},
    ),
    "api:inspection_card_save": ("org", lambda w, a, o: {"site_id": _site(w, a, o).pk}),  # type: ignore[attr-defined]
    "api:inspection_card_submit": ("org", lambda w, a, o: {"site_id": _site(w, a, o).pk}),  # type: ignore[attr-defined]
    **{
        f"api:inspection_{name}": TOUR_ID
        for name in (
            "tour_detail",
            "tour_update",
            "tour_cancel",
            "tour_transition",
            "tour_publish",
            "group_create",
            "unit_create",
            "site_create",
        )
    },
    "api:inspection_judge_create": TOUR_ID,
    "api:inspection_judge_delete": (
        "unpublished",
        lambda w, a, o: {"tour_id": _tour_id(w, a, o), "judge_id": _tour_world(w).judge.pk},
    ),
    "api:inspection_site_delete": ("org", lambda w, a, o: {"site_id": _site(w, a, o).pk}),  # type: ignore[attr-defined]
    "api:inspection_site_sheet": ("org", lambda w, a, o: {"site_id": _site(w, a, o).pk}),  # type: ignore[attr-defined]
    "api:inspection_ballot": VOTE_TOUR_ID,
    "api:inspection_ballot_cast": VOTE_TOUR_ID,
}

ALLOWED: dict[tuple[str, str], int] = {
    ("inspections:list", "GET"): 200,
    ("inspections:create", "GET"): 200,
    ("inspections:create", "POST"): 200,
    ("inspections:provincial", "GET"): 200,
    ("inspections:provincial_import", "GET"): 200,
    ("inspections:provincial_import", "POST"): 200,
    ("inspections:provincial_import_template", "GET"): 200,
    ("inspections:judge_home", "GET"): 200,
    ("inspections:sheets", "GET"): 200,
    ("inspections:sheet_edit", "POST"): 302,
    ("inspections:detail", "GET"): 200,
    ("inspections:plan_add", "POST"): 302,
    ("inspections:transition", "POST"): 302,
    ("inspections:schedule", "GET"): 200,
    ("inspections:progress", "GET"): 200,
    ("inspections:results", "GET"): 200,
    ("inspections:summary", "GET"): 200,
    ("inspections:export", "GET"): 200,
    ("inspections:findings", "GET"): 200,
    ("inspections:vote", "GET"): 200,
    ("inspections:vote", "POST"): 302,
    ("inspections:finding_decide", "POST"): 302,
    ("inspections:score", "GET"): 200,
    ("inspections:score", "POST"): 302,
    ("inspections:photo", "POST"): 302,
    ("inspections:site_finding", "POST"): 302,
    ("inspections:card_photo", "GET"): 200,
    ("api:inspection_tour_list", "GET"): 200,
    ("api:inspection_tour_results", "GET"): 200,
    ("api:inspection_tour_progress", "GET"): 200,
    ("api:inspection_card_save", "POST"): 422,
    ("api:inspection_card_submit", "POST"): 400,
    # Planning pages: the matrix tour is being scored (edit refused on save, cancel refused).
    ("inspections:edit", "GET"): 200,
    ("inspections:edit", "POST"): 200,
    ("inspections:cancel", "POST"): 302,
    ("inspections:site_search", "GET"): 200,
    ("inspections:plan_import", "GET"): 200,
    ("inspections:plan_import", "POST"): 200,
    ("inspections:plan_template", "GET"): 200,
    # Planning API with an empty body: 422 where a field is required, 409 where the tour in
    # scoring refuses the change.
    ("api:inspection_tour_list", "POST"): 422,
    ("api:inspection_tour_create", "GET"): 200,
    ("api:inspection_tour_create", "POST"): 422,
    ("api:inspection_tour_detail", "GET"): 200,
    ("api:inspection_tour_detail", "PATCH"): 422,
    ("api:inspection_tour_update", "GET"): 200,
    ("api:inspection_tour_update", "PATCH"): 422,
    ("api:inspection_tour_cancel", "POST"): 422,
    ("api:inspection_tour_transition", "POST"): 422,
    ("api:inspection_tour_publish", "POST"): 409,
    ("api:inspection_group_create", "POST"): 422,
    ("api:inspection_unit_create", "POST"): 422,
    ("api:inspection_site_create", "POST"): 422,
    ("api:inspection_site_delete", "DELETE"): 409,
    ("api:inspection_judge_create", "POST"): 422,
    ("api:inspection_judge_delete", "DELETE"): 409,
    ("api:inspection_site_sheet", "GET"): 200,
    ("api:inspection_ballot", "GET"): 200,
    ("api:inspection_ballot", "POST"): 422,
    ("api:inspection_ballot_cast", "GET"): 200,
    ("api:inspection_ballot_cast", "POST"): 422,
}
