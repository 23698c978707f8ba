"""领导驾驶舱 in the policy matrix test (dudao/core/tests/policy_matrix.py).

The outline is the city's reference data (the same for everybody who may read it). Pages answer
a refused or invalid POST with a redirect and a message (302).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dudao.cockpit import services

if TYPE_CHECKING:
    from dudao.core.tests.policy_matrix import ObjectArgs, Ownership, Scope
    from dudao.testing import ActorName, World

GEOJSON = (
    b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
    b'{"name": "\xe7\x94\xb2\xe5\x8e\xbf"}, "geometry": {"type": "Polygon", "coordinates": '
    b"[[[113.0, 34.0], [113.5, 34.0], [113.5, 34.5], [113.0, 34.0]]]}}]}"
)


def outline(world: World, actor: ActorName, ownership: Ownership) -> dict[str, object]:
    """The city's outline in force (one per city: an upload retires the one before)."""
    from dudao.cockpit.models import MapOutline

    current = MapOutline.objects.filter(city=world.city, is_active=True).first()
    if current is not None:
        return {"pk": current.pk}
    made = services.upload_outline(
        actor=world.sysadmin, name="边界.geojson", data=GEOJSON, approval_no="豫S（2026）001号"
    )
    return {"pk": made.pk}


OBJECTS: dict[str, tuple[Scope, ObjectArgs]] = {
    "cockpit:outline": ("global", outline),
    "cockpit:outline_retire": ("global", outline),
}

ALLOWED: dict[tuple[str, str], int] = {
    ("cockpit:home", "GET"): 200,
    ("cockpit:wall", "GET"): 200,
    ("cockpit:outline", "GET"): 200,
    ("cockpit:layout", "GET"): 200,
    ("cockpit:layout", "POST"): 302,
    ("cockpit:outline_upload", "POST"): 302,
    ("cockpit:outline_retire", "POST"): 302,
    ("api:cockpit", "GET"): 200,
}
