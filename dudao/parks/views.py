"""Pages of 产业集聚区: the parks in scope and a park's profile (indicators over time)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest
from dudao.stats import selectors
from dudao.stats.services import parse_period


def park_list(request: AuthedHttpRequest) -> HttpResponse:
    """The parks whose 管委会 lies in the user's scope."""
    parks = (
        selectors.visible_parks(request.user)
        .select_related("organisation", "county")
        .prefetch_related("statuses", "industries")
        .order_by("sort_order", "code")
    )
    return render(request, "parks/list.html", {"parks": parks})


def park_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A park's profile: facts, status history, industries, indicators with chart."""
    park = selectors.get_park(request.user, pk)
    error = ""
    period = None
    if request.GET.get("period"):
        try:
            period = parse_period(request.GET["period"])
        except DomainError as exc:
            error = exc.message
    profile = selectors.park_profile(request.user, park, period)
    chart = [
        {
            "name": r.indicator.name,
            "unit": r.indicator.display_unit,
            "months": r.months,
            "values": r.series,
        }
        for r in profile.rows
        if r.series
    ]
    return render(
        request,
        "parks/detail.html",
        {"park": park, "profile": profile, "chart": chart, "period_error": error},
    )
