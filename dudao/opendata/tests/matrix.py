"""The opendata app in the policy matrix test (dudao/core/tests/policy_matrix.py).

The supervisor's pages take a project of the actor's county ("org" scope: another county's
project is 404 for a county actor); the public pages take a published project, the same for
everybody ("global")."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dudao.core.tests.policy_matrix import ObjectArgs, Ownership, Scope
    from dudao.testing import ActorName, World


def _project(world: World, actor: ActorName, ownership: Ownership) -> dict[str, object]:
    from dudao.opendata import services
    from dudao.projects.testing import make_project

    county = world.home_county(actor) if ownership == "own" else world.other_county(actor)
    project = make_project(world, county=county)
    services.publish(actor=world.city_supervisor, project_id=project.pk)
    return {"pk": project.pk}


def _public(world: World, actor: ActorName, ownership: Ownership) -> int:
    from dudao.opendata import services
    from dudao.projects.testing import make_project

    project = make_project(world, county=world.county_a)
    services.publish(actor=world.city_supervisor, project_id=project.pk)
    return project.pk


def _photo(
    world: World, actor: ActorName, ownership: Ownership, *, public: bool
) -> dict[str, object]:
    """A published project with one site photo (cleared when `public`)."""
    import io

    from PIL import Image

    from dudao.opendata import services
    from dudao.projects import services as project_services
    from dudao.projects.testing import make_project, report

    county = world.home_county(actor) if ownership == "own" else world.other_county(actor)
    county = world.county_a if public else county
    project = make_project(world, county=county)
    reporter = world.county_a_reporter if county == world.county_a else world.county_b_reporter
    buf = io.BytesIO()
    Image.new("RGB", (8, 6), "green").save(buf, "JPEG")
    photo = project_services.add_report_photo(
        actor=reporter,
        report=report(world, project, 2, "1", reporter=reporter),
        data=buf.getvalue(),
        filename="p.jpg",
    )
    services.publish(actor=world.city_supervisor, project_id=project.pk)
    if public:
        services.set_photo_clearance(
            actor=world.city_supervisor, project_id=project.pk, photo_id=photo.pk, cleared=True
        )
    return {"pk": project.pk, "photo_id": photo.pk}


OBJECTS: dict[str, tuple[Scope, ObjectArgs]] = {
    "opendata:detail": ("org", _project),
    "opendata:publish": ("org", _project),
    "opendata:withdraw": ("org", _project),
    "opendata:photo_clearance": ("org", lambda w, a, o: _photo(w, a, o, public=False)),
    "open:photo": ("global", lambda w, a, o: _photo(w, a, o, public=True)),
    "open:project": ("global", lambda w, a, o: {"pk": _public(w, a, o)}),
    "open_api:project_detail": ("global", lambda w, a, o: {"project_id": _public(w, a, o)}),
}

ALLOWED: dict[tuple[str, str], int] = {
    ("opendata:list", "GET"): 200,
    ("opendata:publish_bulk", "POST"): 302,  # nothing ticked: back to the list with a message
    ("opendata:refresh", "POST"): 302,
    ("opendata:fields", "GET"): 200,
    ("opendata:fields", "POST"): 302,  # no field named: back with a message
    ("opendata:detail", "GET"): 200,
    ("opendata:publish", "POST"): 302,
    ("opendata:withdraw", "POST"): 302,  # no reason: back with a message
    ("opendata:photo_clearance", "POST"): 302,  # not ticked, no reason: back with a message
    ("open:index", "GET"): 200,
    ("open:project", "GET"): 200,
    ("open:photo", "GET"): 200,
    ("open:about", "GET"): 200,
    ("open:oc4ids", "GET"): 200,
    ("open:csv", "GET"): 200,
    ("open:xlsx", "GET"): 200,
    ("open_api:api-root", "GET"): 404,  # ninja's placeholder for the API prefix
    ("open_api:openapi-json", "GET"): 200,
    ("open_api:openapi-view", "GET"): 200,
    ("open_api:project_list", "GET"): 200,
    ("open_api:project_detail", "GET"): 200,
}

# An anonymous visitor gets the same public answers.
ANONYMOUS: dict[tuple[str, str], int] = {
    key: status
    for key, status in ALLOWED.items()
    if key[0].startswith("open") and not key[0].startswith("opendata:")
}
