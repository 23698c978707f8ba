"""Read-only rows shaped for the API's hot reads (the project list page and a project's monthly
history): plain tuples from the database turned into dicts in the response schemas' field
order, with no model instances and no per-row related look-ups. The scope rules are the
registry's (`visible_projects`); the API renders these rows with `dudao.core.apiout`, and its
tests check that they equal what the schemas (ProjectOut, ReportOut) would give."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import router
from django.db.models import Count, QuerySet, Window
from django.http import Http404

from dudao.core.lights import Light
from dudao.core.precompiled import Precompiled
from dudao.core.scoping import scope_path_of
from dudao.projects.models import MonthlyReport, Project
from dudao.projects.models.registry import covers_a_county
from dudao.projects.selectors.registry import (
    ProjectFilters,
    filter_projects,
    filter_within,
    visible_projects,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User

# (output key, database column path) in ProjectOut's field order; in_park and lists are
# derived (park_id set; the project's list codes in the lists' own order).
PROJECT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("code", "code"),
    ("code_scheme", "code_scheme"),
    ("code_year", "code_year"),
    ("code_month", "code_month"),
    ("code_area", "code_area"),
    ("name", "name"),
    ("category", "category__code"),
    ("stage", "stage"),
    ("level", "level"),
    ("build_nature", "build_nature"),
    ("county_id", "county_id"),
    ("county", "county__name"),
    ("park_id", "park_id"),
    ("industry_code", "industry_code"),
    ("builder_name", "builder_name"),
    ("builder_uscc", "builder_uscc"),
    ("total_investment", "total_investment"),
    ("invest_before", "invest_before"),
    ("responsible_unit", "responsible_unit"),
    ("lead_leader", "lead_leader"),
    ("liaison", "liaison"),
    ("is_active", "is_active"),
    ("version", "version"),
)
_PARK_AT = [key for key, _ in PROJECT_COLUMNS].index("park_id")
_ACTIVE_AT = [key for key, _ in PROJECT_COLUMNS].index("is_active")
_HEAD = [key for key, _ in PROJECT_COLUMNS[: _PARK_AT + 1]]
_MIDDLE = [key for key, _ in PROJECT_COLUMNS[_PARK_AT + 1 : _ACTIVE_AT]]
_TAIL = [key for key, _ in PROJECT_COLUMNS[_ACTIVE_AT:]]

# ReportOut's field order; "node" is the node's code (None without a node).
REPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("project_id", "project_id"),
    ("year", "year"),
    ("month", "month"),
    ("invest_month", "invest_month"),
    ("invest_ytd", "invest_ytd"),
    ("invest_total", "invest_total"),
    ("funds_month", "funds_month"),
    ("funds_ytd", "funds_ytd"),
    ("node", "node__code"),
    ("node_date", "node_date"),
    ("progress_text", "progress_text"),
    ("has_problem", "has_problem"),
    ("problem_text", "problem_text"),
    ("next_steps", "next_steps"),
    ("note", "note"),
    ("status", "status"),
    ("return_reason", "return_reason"),
    ("is_late", "is_late"),
    ("submitted_at", "submitted_at"),
    ("reviewed_at", "reviewed_at"),
    ("version", "version"),
)
_REPORT_KEYS = [key for key, _ in REPORT_COLUMNS]


def list_codes(project_ids: list[int]) -> dict[int, list[str]]:
    """Project id → the codes of its lists, in the lists' own order (year descending, then
    sort order, then code): one query for the whole page."""
    out: dict[int, list[str]] = {pid: [] for pid in project_ids}
    if not project_ids:
        return out
    ids = tuple(project_ids)
    alias = router.db_for_read(Project)
    for pid, code in _LIST_CODES.rows(len(ids), using=alias, ids=ids):
        out[pid].append(code)
    return out


def _list_codes(n: int, ids: tuple[int, ...]) -> QuerySet[Any]:
    """The list codes of n projects (`list_codes`' query, precompiled per page size)."""
    return (
        Project.lists.through.objects.filter(project_id__in=ids)
        .order_by("-projectlist__year", "projectlist__sort_order", "projectlist__code")
        .values_list("project_id", "projectlist__code")
    )


_LIST_CODES = Precompiled(_list_codes)


def project_page(
    projects: QuerySet[Project], offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of ProjectOut rows of an ordered queryset, and the number of projects in it.
    The total comes with the rows (COUNT(*) OVER the whole filtered set, before the LIMIT):
    two queries, the rows and their list codes; a third (the count) only for a page past
    the end."""
    columns = [column for _, column in PROJECT_COLUMNS]
    tuples = list(
        projects.annotate(page_total=Window(Count("pk"))).values_list(*columns, "page_total")[
            offset : offset + limit
        ]
    )
    total = tuples[0][-1] if tuples else projects.count()
    return project_rows(tuples), total


# The list filters that are query parameters (the light filter is not: it reads the lights).
_FILTER_KEYS = ("county", "park", "category", "stage", "level", "list", "q")


def api_project_page(
    actor: User,
    f: ProjectFilters,
    year: int | None,
    month: int | None,
    *,
    offset: int,
    limit: int,
) -> tuple[list[dict[str, Any]], int]:
    """`project_page(filter_projects(actor, f, year, month), offset, limit)` with the rows
    query compiled once per shape (scope kind, filters given, offset, limit) and its values
    bound per call: the same SQL and rows. A light filter, an actor without a business
    scope and a page past the end go the ORM way."""
    path = scope_path_of(actor)
    if path is None or not actor.has_business_role or f.light in Light.values:
        return project_page(filter_projects(actor, f, year, month), offset, limit)
    values: dict[str, Any] = {key: getattr(f, key) for key in _FILTER_KEYS if getattr(f, key)}
    shape = (covers_a_county(actor, path), tuple(values), offset, limit)
    alias = router.db_for_read(Project)
    tuples = _PAGE.rows(shape, using=alias, path=path, **values)
    if not tuples:
        return [], filter_projects(actor, f, year, month).count()
    return project_rows(tuples), tuples[0][-1]


def _page_query(shape: tuple[bool, tuple[str, ...], int, int], path: str, **values: Any) -> Any:
    by_county, _keys, offset, limit = shape
    projects = Project.objects.under_scope(path, by_county)
    columns = [column for _, column in PROJECT_COLUMNS]
    return (
        filter_within(projects, ProjectFilters(**values), None, None)
        .annotate(page_total=Window(Count("pk")))
        .values_list(*columns, "page_total")[offset : offset + limit]
    )


_PAGE = Precompiled(_page_query)


def project_rows(tuples: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """ProjectOut rows from value tuples in PROJECT_COLUMNS order (extra trailing values are
    ignored), with their list codes (one query)."""
    lists = list_codes([t[0] for t in tuples])
    rows = []
    for t in tuples:
        row = dict(zip(_HEAD, t[: _PARK_AT + 1], strict=True))
        row["in_park"] = t[_PARK_AT] is not None
        row.update(zip(_MIDDLE, t[_PARK_AT + 1 : _ACTIVE_AT], strict=True))
        row["lists"] = lists[t[0]]
        row.update(zip(_TAIL, t[_ACTIVE_AT : len(PROJECT_COLUMNS)], strict=True))
        rows.append(row)
    return rows


def project_report_rows(actor: User, project_id: int) -> list[dict[str, Any]]:
    """A project's monthly reports (ReportOut rows, oldest first) if the project is in the
    actor's scope; otherwise Http404, as for a missing project. One query (the reports of
    the project if it is in scope, no joined project row); a second, the scope check alone,
    only when there are none."""
    visible = visible_projects(actor).filter(pk=project_id)
    rows = [
        dict(zip(_REPORT_KEYS, t, strict=True))
        for t in MonthlyReport.objects.filter(project_id=project_id, project__in=visible)
        .order_by("year", "month")
        .values_list(*(column for _, column in REPORT_COLUMNS))
    ]
    if not rows and not visible.exists():
        raise Http404
    return rows
