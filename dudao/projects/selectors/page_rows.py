"""Rows shaped for the registry's HTML pages (the project list and a project's monthly
history): plain values from the database with their display strings worked out once here, so
the templates only print them (no model instances, no per-row template tags, filters or
includes). The amounts go through the one formatter (`{{ value|wan }}`'s own function), the
lights through `lights_for`; the scope is the caller's queryset (already the user's scope)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse

from dudao.core.templatetags.listing import wan
from dudao.projects.models import MonthlyReport, Project
from dudao.projects.selectors.registry import lights_for

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from dudao.projects.figures import ProjectLight

# What the list page reads of each project (a values() query: no model instances).
LIST_FIELDS: tuple[str, ...] = (
    "pk",
    "name",
    "park_id",
    "park__name",
    "park__short_name",
    "county__name",
    "county__short_name",
    "category__name",
    "stage",
    "level",
    "total_investment",
)
HISTORY_FIELDS: tuple[str, ...] = (
    "pk",
    "year",
    "month",
    "invest_month",
    "invest_ytd",
    "invest_total",
    "progress_text",
    "has_problem",
    "status",
    "is_late",
)
STAGES: dict[str, str] = {str(v): str(label) for v, label in Project.Stage.choices}
LEVELS: dict[str, str] = {str(v): str(label) for v, label in Project.Level.choices}
STATUSES: dict[str, str] = {str(v): str(label) for v, label in MonthlyReport.Status.choices}


def url_maker(name: str) -> Any:
    """A function pk → the URL of the named one-integer route, reversed once per page (the
    route's own text around a sentinel id), instead of once per row."""
    head, _, tail = reverse(name, args=[0]).rpartition("0")
    return lambda pk: f"{head}{pk}{tail}"


def list_values(projects: QuerySet[Project]) -> QuerySet[Any]:
    """The list's queryset (filtered, annotated, not yet ordered or paged) as the values the
    page shows."""
    values: QuerySet[Any] = projects.values(*LIST_FIELDS)
    return values


def list_rows(
    values: list[dict[str, Any]], year: int, month: int
) -> list[tuple[dict[str, Any], ProjectLight]]:
    """One page of `list_values` rows with their display strings, and each project's light."""
    lights = lights_for([v["pk"] for v in values], year, month)
    detail = url_maker("projects:detail")
    period = f"?period={year}-{month:02d}"
    out = []
    for v in values:
        pl = lights[v["pk"]]
        prog = pl.progress
        v["url"] = f"{detail(v['pk'])}{period}"
        v["park"] = (v["park__short_name"] or v["park__name"]) if v["park_id"] else ""
        v["county"] = v["county__short_name"] or v["county__name"]
        v["stage_label"] = STAGES.get(v["stage"], v["stage"])
        v["level_label"] = LEVELS.get(v["level"], v["level"])
        v["total"] = wan(v["total_investment"])
        v["plan"] = wan(prog.plan) if prog.plan else "—"
        v["done"] = wan(prog.done)
        out.append((v, pl))
    return out


def history_rows(project: Project) -> list[dict[str, Any]]:
    """A project's monthly reports (newest first) as the detail page's history table shows
    them (the caller read `project` from the user's scope)."""
    report = url_maker("projects:report")
    rows = list(
        MonthlyReport.objects.filter(project=project)
        .order_by("-year", "-month")
        .values(*HISTORY_FIELDS)
    )
    for r in rows:
        r["url"] = report(r["pk"])
        r["status_label"] = STATUSES.get(r["status"], r["status"])
    return rows
