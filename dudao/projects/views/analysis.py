"""The analysis pages (view → selector → rules)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render

from dudao.core.http import AuthedHttpRequest
from dudao.core.lights import Light
from dudao.projects import selectors
from dudao.projects.models import (
    MonthlyReport,
)
from dudao.projects.views._common import (
    _analysis_period,
)

S = MonthlyReport.Status


def _by_rank(row: Any) -> tuple[bool, int]:
    """Ranking tables come in rank order (unranked last, the selector's order among equals)."""
    return (row.rank is None, row.rank or 0)


def analysis(request: AuthedHttpRequest) -> HttpResponse:
    """The city analysis: counties × categories, lights, ranks, reporting completeness; by
    default for the last locked month."""
    year, month = _analysis_period(request)
    by = request.GET.get("by", "county")
    page = selectors.analysis_page(request.user, year, month, by)
    context: dict[str, Any] = {
        "year": year,
        "month": month,
        "period": f"{year}-{month:02d}",
        "by": by,
        "light_values": [(v, label) for v, label in Light.choices],
        "quarter": page.quarter,
        "targets": page.targets,
    }
    if page.groups is not None:
        context["groups"] = sorted(page.groups, key=_by_rank)
        context["elapsed"] = page.elapsed_pct
    else:
        context["a"] = page.a
        context["county_rows"] = sorted(page.a.counties, key=_by_rank) if page.a else []
        context["categories"] = page.categories
    return render(request, "projects/analysis.html", context)


def county_overview(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """One county: its row of the analysis by category, targets and laggards (by default for
    the last locked month)."""
    year, month = _analysis_period(request)
    overview = selectors.county_overview(request.user, pk, year, month)
    if overview is None:
        raise Http404
    return render(
        request,
        "projects/county.html",
        {
            "county": overview.county,
            "row": overview.row,
            "cells": overview.cells,
            "a": overview.a,
            "year": year,
            "month": month,
            "period": f"{year}-{month:02d}",
            "laggards": overview.laggards,
            "targets": overview.targets,
            "quarter": overview.quarter,
        },
    )
