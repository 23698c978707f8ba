"""Reads of parks for other modules: the parks a user may pick or link (in their data scope)
and the reference list. Parks are reference data (every business user may read the list);
what a user may *attach to* a park is limited to the parks inside their own scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from dudao.core.scoping import scope_path_of
from dudao.parks.models import Park, ParkQuerySet

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
