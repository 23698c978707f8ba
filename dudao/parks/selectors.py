"""Reads of parks for other modules: the parks a user may pick or link (in their data scope)
and the reference list. Parks are reference data (every business user may read the list);
what a user may *attach to* a park is limited to the parks inside their own scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q
from django.http import Http404

from dudao.core.scoping import scope_path_of
from dudao.orgs.models import Organisation
from dudao.parks.models import Park, ParkQuerySet, ParkStatus

if TYPE_CHECKING:
    from dudao.accounts.models import User


def parks_in_scope(actor: User) -> ParkQuerySet:
    """Parks located in the actor's data scope (by their county or by their committee, so a
    park committee has its own park): what a picker offers and what a project or problem may
    be linked to."""
    path = scope_path_of(actor)
    if path is None:
        return Park.objects.none()
    return Park.objects.filter(
        Q(county__path__startswith=path) | Q(organisation__path__startswith=path)
    )


def park_in_scope(actor: User, pk: int | str | None) -> Park | None:
    """The park with this id if the actor may link to it; None otherwise (missing or not theirs)."""
    if pk is None or pk == "":
        return None
    try:
        return parks_in_scope(actor).get(pk=int(pk))
    except (Park.DoesNotExist, TypeError, ValueError, OverflowError):
        return None


def reference_parks() -> ParkQuerySet:
    """Every park (the province's reference list, e.g. for comparisons)."""
    return Park.objects.all()


def visible_parks(actor: User) -> ParkQuerySet:
    """Parks whose 管委会 lies in the actor's business scope (none for the administrators):
    the parks whose pages and figures the actor may read."""
    if not actor.has_business_role:
        return Park.objects.none()
    return Park.objects.filter(organisation__in=Organisation.objects.visible_to(actor).values("pk"))


def get_park(actor: User, pk: int) -> Park:
    """One park of `visible_parks` with its facts, or Http404 (missing and out of scope alike)."""
    park: Park | None = (
        visible_parks(actor)
        .select_related("organisation", "county", "city_region")
        .prefetch_related(
            Prefetch("statuses", ParkStatus.objects.select_related("merged_into")), "industries"
        )
        .filter(pk=pk)
        .first()
    )
    if park is None:
        raise Http404("园区不存在或不在您的数据范围内。")
    return park


def active_parks_under(path: str) -> list[Park]:
    """The active parks whose 管委会 lies under the tree `path`, in display order."""
    return list(
        Park.objects.filter(is_active=True, organisation__path__startswith=path)
        .select_related("organisation")
        .order_by("sort_order", "code")
    )
