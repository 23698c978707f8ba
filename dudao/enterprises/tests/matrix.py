"""The enterprises app in the policy matrix test (dudao/core/tests/policy_matrix.py)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from stdnum.cn import uscc as stdnum_uscc

from dudao.enterprises.models import Demand, Enterprise, LiaisonAssignment, Visit, VisitPhoto
from dudao.testing import COUNTY_ACTORS

if TYPE_CHECKING:
    from dudao.core.tests.policy_matrix import ObjectArgs, Ownership, Scope
    from dudao.testing import ActorName, World


def enterprise_of(world: World, actor: ActorName, ownership: Ownership) -> Enterprise:
    """An enterprise managed by the park committee of the actor's county (own) or of the
    other county, created on first use."""
    county = world.home_county(actor) if ownership == "own" else world.other_county(actor)
    org = world.park_a if county == world.county_a else world.park_b
    body = f"91410100{org.pk:09d}"
    found, _ = Enterprise.objects.get_or_create(
        uscc=body + stdnum_uscc.calc_check_digit(body),
        defaults={"name": f"{org.name}矩阵测试企业", "organisation": org, "industry_code": "3562"},
    )
    return found


def _liaised(world: World, actor: ActorName, ownership: Ownership) -> Enterprise:
    """The actor's (or the other county's) enterprise; the actor liaises with it unless it is
    a county actor asking for the other county's (that one must answer 404)."""
    firm = enterprise_of(world, actor, ownership)
    if ownership == "own" or actor not in COUNTY_ACTORS:
        LiaisonAssignment.objects.get_or_create(
            enterprise=firm,
            officer=world.actor(actor),
            defaults={"valid_from": dt.date(2020, 1, 1)},
        )
    return firm


def _demand(world: World, actor: ActorName, ownership: Ownership) -> dict[str, object]:
    firm = enterprise_of(world, actor, ownership)
    department = firm.organisation
    today = dt.date(2025, 3, 3)
    demand, _ = Demand.objects.get_or_create(
        code=f"QS-M-{firm.pk}",
        defaults={
            "enterprise": firm,
            "organisation": firm.organisation,
            "source": Demand.Source.OFFICER,
            "raised_by": world.city_supervisor,
            "raised_on": today,
            "category": "land",
            "title": "矩阵测试诉求",
            "content": "矩阵测试",
            "department": department,
            "sla_workdays": 10,
            "routed_on": today,
            "due_on": dt.date(2025, 3, 17),
        },
    )
    return {"pk": demand.pk}


def _demand_api(world: World, actor: ActorName, ownership: Ownership) -> dict[str, object]:
    return {"demand_id": _demand(world, actor, ownership)["pk"]}


def _visit(world: World, actor: ActorName, ownership: Ownership) -> dict[str, object]:
    firm = enterprise_of(world, actor, ownership)
    visit, _ = Visit.objects.get_or_create(
        enterprise=firm,
        people_met="矩阵测试",
        defaults={
            "officer": world.city_supervisor,
            "officer_unit": world.city_supervisor.organisation,
            "visited_on": dt.date(2025, 3, 3),
        },
    )
    return {"visit_id": visit.pk}


def _photo(world: World, actor: ActorName, ownership: Ownership) -> dict[str, object]:
    visit = Visit.objects.get(pk=int(str(_visit(world, actor, ownership)["visit_id"])))
    photo = visit.photos.first()
    if photo is None:
        name = default_storage.save("enterprises/visits/matrix.jpg", ContentFile(b"\xff\xd8\xff"))
        photo = VisitPhoto.objects.create(visit=visit, file=name, original_name="现场.jpg", size=3)
    return {"pk": photo.pk}


def _enterprise(world: World, actor: ActorName, ownership: Ownership) -> dict[str, object]:
    return {"pk": enterprise_of(world, actor, ownership).pk}


def _enterprise_api(world: World, actor: ActorName, ownership: Ownership) -> dict[str, object]:
    return {"enterprise_id": enterprise_of(world, actor, ownership).pk}


def _year(world: World, actor: ActorName, ownership: Ownership) -> dict[str, object]:
    return {"year": 2025}


OBJECTS: dict[str, tuple[Scope, ObjectArgs]] = {
    "enterprises:detail": ("org", _enterprise),
    "api:enterprises_detail": ("org", _enterprise_api),
    "api:enterprises_results": ("global", _year),
    "enterprises:visit_new": ("org", lambda w, a, o: {"pk": _liaised(w, a, o).pk}),
    "enterprises:demand_new": ("org", lambda w, a, o: {"pk": _liaised(w, a, o).pk}),
    "enterprises:demand_detail": ("org", _demand),
    "api:enterprises_demand": ("org", _demand_api),
    "api:enterprises_demand_answer": ("org", _demand_api),
    "api:enterprises_demand_confirm": ("org", _demand_api),
    "api:enterprises_visit": ("org", _visit),
    "enterprises:visit_photo": ("org", _photo),
    "enterprises:assign": ("org", _enterprise),
    "enterprises:end_liaison": ("org", _enterprise),
    "enterprises:bind_account": ("org", _enterprise),
}

ALLOWED: dict[tuple[str, str], int] = {
    ("enterprises:list", "GET"): 200,
    ("enterprises:detail", "GET"): 200,
    ("enterprises:grades", "GET"): 200,
    ("enterprises:grades_export", "GET"): 200,
    ("api:enterprises_list", "GET"): 200,
    ("api:enterprises_detail", "GET"): 200,
    ("api:enterprises_results", "GET"): 404,
    ("enterprises:mine", "GET"): 200,
    ("enterprises:visit_new", "GET"): 200,
    ("enterprises:visit_new", "POST"): 400,
    ("enterprises:demand_new", "GET"): 200,
    ("enterprises:demand_new", "POST"): 400,
    ("enterprises:inbox", "GET"): 200,
    ("enterprises:demand_detail", "GET"): 200,
    ("enterprises:demand_detail", "POST"): 302,
    ("enterprises:league", "GET"): 200,
    ("enterprises:portal", "GET"): 200,
    ("enterprises:portal", "POST"): 400,
    ("enterprises:visit_photo", "GET"): 200,
    ("enterprises:sla", "GET"): 200,
    ("enterprises:sla", "POST"): 302,
    ("enterprises:assign", "POST"): 302,
    ("enterprises:end_liaison", "POST"): 302,
    ("enterprises:bind_account", "POST"): 302,
    ("api:enterprises_demands", "GET"): 200,
    ("api:enterprises_demands", "POST"): 422,
    ("api:enterprises_demand", "GET"): 200,
    ("api:enterprises_demand_answer", "POST"): 422,
    ("api:enterprises_demand_confirm", "POST"): 422,
    ("api:enterprises_visits", "GET"): 200,
    ("api:enterprises_visits", "POST"): 422,
    ("api:enterprises_visit", "GET"): 200,
}
