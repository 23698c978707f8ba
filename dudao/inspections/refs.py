"""How the tour API, the tour plan import and the planning pages name the things a tour is
planned from: a county by its 单位编码, a project by its project code (from the registry, in
the actor's scope), a judge by the account's username, a group or ranking group by its name.

Every lookup starts from the organiser's scope; something outside it reads as "not found"
(the same words as a missing one). Messages are Chinese: they go to the user as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.shortcuts import get_object_or_404

from dudao.accounts.models import User
from dudao.accounts.roles import Role
from dudao.core.exceptions import DomainError
from dudao.inspections.models import Judge, Tour, TourGroup, TourUnit, UnitGroup
from dudao.orgs.models import Organisation
from dudao.projects.selectors import visible_projects

if TYPE_CHECKING:
    from dudao.projects.models import Project

# Kinds of organisation that take part in a tour as a unit (县（市、区） and 开发区/集聚区).
UNIT_KINDS = (Organisation.Kind.COUNTY_GOV, Organisation.Kind.PARK_COMMITTEE)
SEARCH_LIMIT = 20


def unit_org(tour: Tour, code: str) -> Organisation:
    """A county (or zone) under the organiser by its 单位编码 (or its full or short name)."""
    code = (code or "").strip()
    org = (
        Organisation.objects.filter(kind__in=UNIT_KINDS, path__startswith=tour.organiser.scope_path)
        .filter(Q(code__iexact=code) | Q(name=code) | Q(short_name=code))
        .first()
        if code
        else None
    )
    if org is None:
        raise DomainError(f"找不到单位编码为“{code}”的县（市、区）。", field="county")
    return org


def unit_of(tour: Tour, code: str) -> TourUnit:
    """A unit of the tour by its county's 单位编码 (or its name as shown)."""
    code = (code or "").strip()
    for unit in tour.units.select_related("county"):
        if code and code in (unit.county.code, unit.county.display_name, unit.county.name):
            return unit
    raise DomainError(f"“{code}”不是本次观摩的参评单位。", field="unit")


def group(tour: Tour, name: str) -> TourGroup:
    found = tour.groups.filter(name=(name or "").strip()).first()
    if found is None:
        raise DomainError(f"本次观摩没有名为“{name}”的观摩组。", field="group")
    return found


def unit_group(tour: Tour, name: str) -> UnitGroup:
    found = tour.unit_groups.filter(name=(name or "").strip()).first()
    if found is None:
        names = "、".join(tour.unit_groups.values_list("name", flat=True))
        raise DomainError(f"排名分组“{name}”不存在，可选：{names}。", field="unit_group")
    return found


def project(actor: User, tour: Tour, code: str) -> Project:
    """A project of a participating unit, by its project code, among those the actor sees."""
    code = (code or "").strip()
    found = (
        visible_projects(actor)
        .filter(code=code, county_id__in=tour.units.values("county_id"))
        .select_related("county", "category")
        .first()
    )
    if found is None:
        raise DomainError(f"参评单位中找不到项目代码为“{code}”的项目。", field="project")
    return found


def search_projects(actor: User, tour: Tour, text: str) -> list[Project]:
    """Registry projects of the participating units matching a part of the name or code,
    among those the actor sees (the site search on the tour page)."""
    text = (text or "").strip()[:60]
    if not text:
        return []
    return list(
        visible_projects(actor)
        .filter(is_active=True, county_id__in=tour.units.values("county_id"))
        .filter(Q(name__icontains=text) | Q(code__icontains=text))
        .exclude(tour_sites__tour=tour)
        .select_related("county", "category")
        .order_by("county__sort_order", "-total_investment", "pk")[:SEARCH_LIMIT]
    )


def judge_user(tour: Tour, username: str) -> User:
    """An active account under the organiser with the 评委 role, by username."""
    username = (username or "").strip()
    user: Any = User.objects.filter(
        username__iexact=username,
        is_active=True,
        organisation__path__startswith=tour.organiser.scope_path,
    ).first()
    if user is None:
        raise DomainError(f"找不到用户名为“{username}”的账户。", field="user")
    if not user.has_role(Role.JUDGE):
        raise DomainError(f"{user.full_name}没有评委角色，不能担任评委。", field="user")
    return user  # type: ignore[no-any-return]


def seat(tour: Tour, pk: int) -> Judge:
    """A judge seat of the tour by id (404 when it is another tour's)."""
    return get_object_or_404(Judge.objects.select_related("tour", "user"), tour=tour, pk=pk)
