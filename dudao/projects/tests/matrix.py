"""重大项目 in the policy matrix test (dudao/core/tests/policy_matrix.py).

OBJECTS: URL name → (scope, function(world, actor, ownership) → URL kwargs), for URLs with ids.
ALLOWED: (URL name, method) → the status an allowed, in-scope call with an empty form gets.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dudao.core.tests.policy_matrix import ObjectArgs, Ownership, Scope
    from dudao.projects.models import MonthlyReport, Project
    from dudao.testing import ActorName, World


def _project(world: World, actor: ActorName, ownership: Ownership) -> Project:
    from dudao.projects.testing import make_project, park_for

    if ownership == "own":
        county = world.home_county(actor)
        park = park_for(world.park_a, world.county_a) if actor == "park_reporter" else None
    else:
        county, park = world.other_county(actor), None
    return make_project(world, county=county, park=park)


def _report(world: World, actor: ActorName, ownership: Ownership) -> MonthlyReport:
    from dudao.projects import services

    project = _project(world, actor, ownership)
    reporter = (
        world.county_b_reporter
        if project.county_id == world.county_b.pk
        else (world.county_a_reporter)
    )
    return services.save_report(
        actor=reporter,
        project=project,
        year=2026,
        month=3,
        data=services.ReportInput(invest_month=Decimal("10")),
    )


def _photo(world: World, actor: ActorName, ownership: Ownership) -> int:
    from PIL import Image

    from dudao.projects import services

    report = _report(world, actor, ownership)
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    reporter = (
        world.county_b_reporter
        if report.county_id == world.county_b.pk
        else (world.county_a_reporter)
    )
    return services.add_report_photo(
        actor=reporter, report=report, data=buf.getvalue(), filename="a.png"
    ).pk


def _lock(world: World, actor: ActorName, ownership: Ownership) -> int:
    from dudao.projects import services
    from dudao.projects.models import MonthLock

    county = world.home_county(actor) if ownership == "own" else world.other_county(actor)
    # A month of an earlier year: a lock freezes its year's plans, which other probes create.
    existing = MonthLock.objects.filter(county=county, year=2024, month=12, is_active=True).first()
    if existing is not None:
        return existing.pk
    return services.lock_month(actor=world.city_supervisor, year=2024, month=12, county=county).pk


def _county(world: World, actor: ActorName, ownership: Ownership) -> int:
    if actor == "park_reporter" and ownership == "own":
        _project(world, actor, ownership)  # a park committee sees the county of its projects
    return (world.home_county(actor) if ownership == "own" else world.other_county(actor)).pk


def _pid(w: World, a: ActorName, o: Ownership) -> int:
    return _project(w, a, o).pk


def _rid(w: World, a: ActorName, o: Ownership) -> int:
    return _report(w, a, o).pk


OBJECTS: dict[str, tuple[Scope, ObjectArgs]] = {
    "projects:detail": ("org", lambda w, a, o: {"pk": _pid(w, a, o)}),
    "projects:edit": ("org", lambda w, a, o: {"pk": _pid(w, a, o)}),
    "projects:plan": ("org", lambda w, a, o: {"pk": _pid(w, a, o)}),
    "projects:grid_row": ("org", lambda w, a, o: {"pk": _pid(w, a, o)}),
    "projects:county": ("org", lambda w, a, o: {"pk": _county(w, a, o)}),
    "projects:report": ("org", lambda w, a, o: {"pk": _rid(w, a, o)}),
    "projects:report_action": ("org", lambda w, a, o: {"pk": _rid(w, a, o)}),
    "projects:photo_upload": ("org", lambda w, a, o: {"pk": _rid(w, a, o)}),
    "projects:photo": ("org", lambda w, a, o: {"pk": _photo(w, a, o)}),
    "projects:unlock": ("org", lambda w, a, o: {"pk": _lock(w, a, o)}),
    "api:projects_detail": ("org", lambda w, a, o: {"project_id": _pid(w, a, o)}),
    "api:projects_update": ("org", lambda w, a, o: {"project_id": _pid(w, a, o)}),
    "api:projects_plans": ("org", lambda w, a, o: {"project_id": _pid(w, a, o)}),
    "api:projects_plan_save": ("org", lambda w, a, o: {"project_id": _pid(w, a, o), "year": 2026}),
    "api:projects_reports": ("org", lambda w, a, o: {"project_id": _pid(w, a, o)}),
    "api:projects_report_save": (
        "org",
        lambda w, a, o: {"project_id": _pid(w, a, o), "period": "2026-03"},
    ),
    "api:projects_report_detail": ("org", lambda w, a, o: {"report_id": _rid(w, a, o)}),
    "api:projects_report_submit": ("org", lambda w, a, o: {"report_id": _rid(w, a, o)}),
    "api:projects_report_approve": ("org", lambda w, a, o: {"report_id": _rid(w, a, o)}),
    "api:projects_report_return": ("org", lambda w, a, o: {"report_id": _rid(w, a, o)}),
    "api:projects_unlock": ("org", lambda w, a, o: {"lock_id": _lock(w, a, o)}),
}
# Empty forms: pages re-render (200) or redirect after a refused action (302); the API answers
# 422 to a missing body, 200 to reads.
ALLOWED: dict[tuple[str, str], int] = {
    ("projects:list", "GET"): 200,
    ("projects:export", "GET"): 200,
    ("projects:create", "GET"): 200,
    ("projects:create", "POST"): 200,
    ("projects:registry_import", "GET"): 200,
    ("projects:registry_import", "POST"): 200,
    ("projects:registry_import_template", "GET"): 200,
    ("projects:detail", "GET"): 200,
    ("projects:edit", "GET"): 200,
    ("projects:edit", "POST"): 200,
    ("projects:plan", "GET"): 200,
    ("projects:plan", "POST"): 200,
    ("projects:grid", "GET"): 200,
    ("projects:grid_row", "POST"): 422,
    ("projects:grid_submit_all", "POST"): 302,
    ("projects:template", "GET"): 200,
    ("projects:upload", "GET"): 200,
    ("projects:upload", "POST"): 200,
    ("projects:report", "GET"): 200,
    ("projects:report_action", "POST"): 302,
    ("projects:photo_upload", "POST"): 302,
    ("projects:photo", "GET"): 200,
    ("projects:due", "GET"): 200,
    ("projects:review_bulk", "POST"): 302,
    ("projects:analysis", "GET"): 200,
    ("projects:county", "GET"): 200,
    ("projects:locks", "GET"): 200,
    ("projects:locks", "POST"): 200,
    ("projects:unlock", "POST"): 302,
    ("projects:targets", "GET"): 200,
    ("projects:targets", "POST"): 200,
    ("projects:settings", "GET"): 200,
    ("projects:settings", "POST"): 200,
    ("api:projects_list", "GET"): 200,
    ("api:projects_list", "POST"): 422,
    ("api:projects_create", "GET"): 200,
    ("api:projects_create", "POST"): 422,
    ("api:projects_detail", "GET"): 200,
    ("api:projects_detail", "PATCH"): 422,
    ("api:projects_update", "GET"): 200,
    ("api:projects_update", "PATCH"): 422,
    ("api:projects_plans", "GET"): 200,
    ("api:projects_plan_save", "PUT"): 422,
    ("api:projects_reports", "GET"): 200,
    ("api:projects_report_save", "PUT"): 422,
    ("api:projects_report_detail", "GET"): 200,
    ("api:projects_report_submit", "POST"): 200,  # the body is optional: a draft is submitted
    ("api:projects_report_approve", "POST"): 409,  # a draft cannot be approved
    ("api:projects_report_return", "POST"): 400,  # a return needs a reason
    ("api:projects_locks", "GET"): 200,
    ("api:projects_locks", "POST"): 422,
    ("api:projects_lock", "GET"): 200,
    ("api:projects_lock", "POST"): 422,
    ("api:projects_unlock", "POST"): 422,
    ("api:projects_analysis", "GET"): 200,
    ("api:projects_targets", "GET"): 200,
}
