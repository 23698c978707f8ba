"""Shared pieces of the 重大项目 pages: the page's month, filters, URLs."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest

from dudao.core.http import AuthedHttpRequest
from dudao.orgs.models import Organisation
from dudao.projects import selectors
from dudao.projects.models import (
    MonthlyReport,
)

S = MonthlyReport.Status


def _period(request: AuthedHttpRequest) -> tuple[int, int]:
    """The page's month (?period=YYYY-MM, default the reporting period); a bad value shows the
    default month with a message saying so."""
    year, month, message = selectors.page_period(
        request.GET.get("period") or request.POST.get("period")
    )
    if message and request.method == "POST":
        raise BadRequest(message)  # a write never lands in another month than the one asked
    if message:
        messages.warning(request, message)
    return year, month


def _analysis_period(request: AuthedHttpRequest) -> tuple[int, int]:
    """An analysis page's month: ?period=, by default the last locked month."""
    year, month, message = selectors.analysis_period(request.GET.get("period"))
    if message:
        messages.warning(request, message)
    return year, month


def _county_qs(counties: list[Organisation]) -> Any:
    return Organisation.objects.filter(pk__in=[c.pk for c in counties]).order_by(
        "sort_order", "path"
    )


def _url(name: str, **kwargs: Any) -> str:
    from django.urls import reverse

    return reverse(name, kwargs=kwargs or None)


def new_request_id() -> str:
    return uuid.uuid4().hex
