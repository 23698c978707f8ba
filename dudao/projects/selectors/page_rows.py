"""Rows shaped for the registry's HTML pages (the project list and a project's monthly
history): plain values from the database with their display strings worked out once here, so
the templates only print them (no model instances, no per-row template tags, filters or
includes). The amounts go through the one formatter (`{{ value|wan }}`'s own function), the
lights through `lights_for`; the scope is the caller's queryset (already the user's scope)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import router
from django.db.models import QuerySet
from django.urls import reverse

from dudao.core.precompiled import Precompiled
from dudao.core.scoping import scope_path_of
from dudao.core.templatetags.listing import wan
from dudao.orgs.models import Organisation
from dudao.projects.models import MonthlyReport, Project, ProjectCategory, ProjectList
from dudao.projects.models.registry import covers_a_county
from dudao.projects.selectors.registry import (
    county_choices,
    filter_parks,
    lights_for,
    parks_with,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User
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


def _history_q(shape: object, project_id: int) -> QuerySet[Any]:
    return (
        MonthlyReport.objects.filter(project_id=project_id)
        .order_by("-year", "-month")
        .values_list(*HISTORY_FIELDS)
    )


_HISTORY = Precompiled(_history_q)


def history_rows(project: Project) -> list[dict[str, Any]]:
    """A project's monthly reports (newest first) as the detail page's history table shows
    them (the caller read `project` from the user's scope)."""
    report = url_maker("projects:report")
    alias = router.db_for_read(MonthlyReport)
    rows = [
        dict(zip(HISTORY_FIELDS, t, strict=True))
        for t in _HISTORY.rows(None, using=alias, project_id=project.pk)
    ]
    for r in rows:
        r["url"] = report(r["pk"])
        r["status_label"] = STATUSES.get(r["status"], r["status"])
    return rows


@dataclass(frozen=True)
class FilterOptions:
    """The choices of the list's database-backed filters as (id, label) pairs, in the order
    and scope of `county_choices`, `filter_parks` and the active categories and lists."""

    counties: list[tuple[int, str]]
    parks: list[tuple[int, str]]
    categories: list[tuple[int, str]]
    lists: list[tuple[int, str]]


def _counties_q(by_county: bool, path: str) -> QuerySet[Any]:
    qs = Organisation.objects.filter(kind=Organisation.Kind.COUNTY_GOV, is_active=True)
    if by_county:
        qs = qs.filter(path__startswith=path)
    else:  # a park committee: the counties of its park's projects
        qs = qs.filter(pk__in=Project.objects.under_scope(path, False).values("county_id"))
    return qs.order_by("sort_order", "path").values_list("pk", "short_name", "name")


def _parks_q(by_county: bool, path: str) -> QuerySet[Any]:
    from dudao.parks.selectors import reference_parks

    projects = Project.objects.under_scope(path, by_county)
    return parks_with(reference_parks(), projects).values_list("pk", "short_name", "name")


def _categories_q(shape: object) -> QuerySet[Any]:
    return ProjectCategory.objects.filter(is_active=True).values_list("pk", "name")


def _lists_q(shape: object) -> QuerySet[Any]:
    return ProjectList.objects.filter(is_active=True).values_list("pk", "name")


# Compiled once per kind of scope; every call reads the database (nothing else is kept).
_COUNTIES, _PARKS = Precompiled(_counties_q), Precompiled(_parks_q)
_CATEGORIES, _LISTS = Precompiled(_categories_q), Precompiled(_lists_q)


def _short(rows: list[tuple[Any, ...]]) -> list[tuple[int, str]]:
    """(id, short name or name) — `{{ x.short_name|default:x.name }}`."""
    return [(pk, short or name) for pk, short, name in rows]


def filter_options(actor: User) -> FilterOptions:
    """The list page's filter choices for `actor`: four reads of small tables (compiled once
    per kind of scope), no model instances."""
    path = scope_path_of(actor)
    if path is None or not actor.has_business_role:  # no business scope: the ORM way
        return FilterOptions(
            counties=[(c.pk, c.short_name or c.name) for c in county_choices(actor)],
            parks=[(p.pk, p.short_name or p.name) for p in filter_parks(actor)],
            categories=list(_categories_q(None)),
            lists=list(_lists_q(None)),
        )
    by_county = covers_a_county(actor, path)
    alias = router.db_for_read(Project)
    return FilterOptions(
        counties=_short(_COUNTIES.rows(by_county, using=alias, path=path)),
        parks=_short(_PARKS.rows(by_county, using=alias, path=path)),
        categories=[(pk, name) for pk, name in _CATEGORIES.rows(None, using=alias)],
        lists=[(pk, name) for pk, name in _LISTS.rows(None, using=alias)],
    )
