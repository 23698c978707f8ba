"""Statistics panels that lower modules' pages include by name (no Python import upward).

The park profile page (dudao.parks, below stats) shows `{% park_statistics park %}`: the park's
indicators for the ?period= month (default: its latest approved month) with the chart data.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import template

from dudao.core.exceptions import DomainError
from dudao.core.periods import parse_month
from dudao.stats import selectors

if TYPE_CHECKING:
    from dudao.parks.models import Park

register = template.Library()


@register.inclusion_tag("stats/_park_profile.html", takes_context=True)
def park_statistics(context: template.Context, park: Park) -> dict[str, Any]:
    """The park's indicator table and chart series, in the reader's scope."""
    request = context["request"]
    error = ""
    period: dt.date | None = None
    if request.GET.get("period"):
        try:
            period = parse_month(request.GET["period"]).first_day
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
    annual = (
        selectors.latest_annual_figures(request.user, park.organisation_id)
        if park.organisation_id
        else []
    )
    return {"profile": profile, "chart": chart, "period_error": error, "annual": annual}
