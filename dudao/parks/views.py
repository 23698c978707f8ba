"""Pages of 产业集聚区: the parks in scope and a park's profile (indicators over time)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from dudao.core.http import AuthedHttpRequest
from dudao.parks import selectors, services


def park_list(request: AuthedHttpRequest) -> HttpResponse:
    """The parks whose 管委会 lies in the user's scope."""
    parks = (
        selectors.visible_parks(request.user)
        .select_related("organisation", "county")
        .prefetch_related("statuses", "industries")
        .order_by("sort_order", "code")
    )
    can_import = request.user.has_role(*services.MANAGER_ROLES)
    return render(request, "parks/list.html", {"parks": parks, "can_import": can_import})


def park_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A park's profile: facts, status history, industries; the indicators with their chart
    are the statistics module's panel (`{% park_statistics park %}`, dudao.stats)."""
    return render(request, "parks/detail.html", {"park": selectors.get_park(request.user, pk)})
