"""The audit log page (审计管理员 only; read-only by construction)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from dudao.audit import selectors
from dudao.audit.actions import ACTION_LABELS
from dudao.core.http import AuthedHttpRequest, query_without_page
from dudao.core.listing import listing


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


# The log's sortable columns (URL key → ORM fields), for dudao.core.listing.
EVENT_SORTS: dict[str, tuple[str, ...]] = {
    "time": ("-occurred_at", "-pk"),
    "actor": ("actor_name",),
    "org": ("organisation__path",),
    "action": ("action",),
    "object": ("object_repr",),
    "success": ("success",),
    "ip": ("ip",),
}


def event_list(request: AuthedHttpRequest) -> HttpResponse:
    """Audit events with filters by text, action, unit, date range and outcome."""
    f = {
        k: request.GET.get(k, "").strip()
        for k in ("q", "action", "organisation", "date_from", "date_to", "success")
    }
    qs = selectors.list_events(
        request.user,
        q=f["q"],
        action=f["action"],
        organisation=int(f["organisation"]) if f["organisation"].isdigit() else None,
        date_from=_date(f["date_from"]),
        date_to=_date(f["date_to"]),
        success=f["success"],
    )
    lst = listing(request, qs, EVENT_SORTS, default="time")
    context: dict[str, Any] = {
        "page": lst.page,
        "list": lst,
        "f": f,
        "query": query_without_page(request),
        "actions": sorted(ACTION_LABELS.items()),
        "organisations": selectors.organisation_choices(request.user),
    }
    partial = request.htmx  # type: ignore[attr-defined]
    if not partial:
        context["chain"] = selectors.chain_status(request.user)
    template = "audit/_table.html" if partial else "audit/list.html"
    return render(request, template, context)


def event_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """One audit event with its before/after values."""
    event = selectors.get_event(request.user, pk)
    return render(
        request,
        "audit/detail.html",
        {
            "event": event,
            "object_type": selectors.object_type_label(event),
            "changes": selectors.event_changes(event),
        },
    )
