"""What the reports importer reads from the database, in one place: the file's question (its
codes, ids, first months, years), one query per lookup, and the `basis` — every value the
validation read, as plain tuples — on which a kept dry-run plan is reused
(`dudao.core.importplans`). The validation itself is `reports`, the write `report_writes`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from dudao.core.bulk import fetch_rows
from dudao.core.importplans import stored_values
from dudao.core.imports import ImportReport
from dudao.projects.importers._common import many
from dudao.projects.importers.report_writes import ProjectFacts, _New, _running_totals
from dudao.projects.models import (
    MilestoneNode,
    MonthLock,
    MonthlyReport,
    Project,
    ProjectMilestone,
    ProjectSettings,
    ProjectYearPlan,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User

PLAN_KIND = "reports"


@dataclass(frozen=True)
class _Question:
    """What the lookups ask about a file: its project codes and ids, each project's first
    month, its years, the projects whose row reports a node."""

    codes: frozenset[str]
    ids: frozenset[int]
    first: dict[int, tuple[int, int]]
    years: frozenset[int]
    with_node: frozenset[int]


@dataclass
class _Facts:
    """Everything the validation reads from the database, as the lookups fetched it; `basis`
    is all of it as plain comparable values (a kept dry run is reused only on an equal one)."""

    projects: dict[int, ProjectFacts]
    window: list[MonthlyReport]
    base: dict[int, Any]
    plans: dict[tuple[int, int], Decimal]
    started: dict[int, set[int]]
    actual: dict[int, dict[int, date]]
    locked: set[tuple[int | None, int, int]]
    settings: ProjectSettings
    basis: tuple[Any, ...]

    @property
    def by_key(self) -> dict[tuple[int, int, int], MonthlyReport]:
        return {(x.project_id, x.year, x.month): x for x in self.window}


@dataclass
class _Plan:
    """A validated file: what its commit writes."""

    question: _Question
    created: list[_New]
    updated: list[MonthlyReport]
    later: list[MonthlyReport]
    base: dict[int, Any]
    monthly: dict[int, dict[tuple[int, int], Any]]
    projects: dict[int, ProjectFacts]
    report: ImportReport


def _projects(scope: Any, codes: set[str] | frozenset[str], ids: Any) -> dict[int, ProjectFacts]:
    """1 query: the actor's projects named in the file, as tuples."""
    visible = (
        scope if len(codes) + len(ids) > many() else scope.filter(Q(code__in=codes) | Q(pk__in=ids))
    )
    return {
        row[0]: ProjectFacts(*row)
        for row in fetch_rows(
            visible.order_by().values_list(
                "pk", "code", "county_id", "total_investment", "invest_before", "stage"
            )
        )
    }


def _lookups(
    actor: User, question: _Question, nodes: list[MilestoneNode], projects: dict[int, ProjectFacts]
) -> _Facts:
    """One query each: reports in the file's window, the running totals before it, plans,
    milestones, locks, settings."""
    first, years, with_node = question.first, question.years, question.with_node
    pids = set(first)
    scope = Project.objects.visible_to(actor).filter(is_active=True)
    # a long list of ids: the actor's scope as a subquery, the rows outside the file dropped
    in_file: Any = scope.values("pk") if len(pids) > many() else pids
    lo = min(first.values(), default=(0, 0))
    window = [
        x
        # (year, month) >= lo written as a range the (year, month, …) index serves
        for x in MonthlyReport.objects.filter(
            Q(year__gt=lo[0]) | Q(year=lo[0], month__gte=lo[1]), project_id__in=in_file
        ).order_by()
        if x.project_id in first and first[x.project_id] <= (x.year, x.month)
    ]
    base = _running_totals(first, in_file)
    plans = {
        (pid, year): amount
        for pid, year, amount in fetch_rows(
            ProjectYearPlan.objects.filter(project_id__in=in_file, year__in=years)
            .order_by()
            .values_list("project_id", "year", "planned_investment")
        )
        if pid in pids
    }
    # milestone dates: the start node's of every project (续建 must have started); all nodes
    # only of the projects whose row reports a node (their order is checked)
    start_ids = {n.pk for n in nodes if n.role == MilestoneNode.Role.START}
    started: dict[int, set[int]] = defaultdict(set)
    for pid, node_id in (
        ProjectMilestone.objects.filter(
            project_id__in=in_file, node_id__in=start_ids, actual_date__isnull=False
        )
        .order_by()
        .values_list("project_id", "node_id")
    ):
        started[pid].add(node_id)
    actual: dict[int, dict[int, date]] = defaultdict(dict)
    for pid, node_id, day in (
        ProjectMilestone.objects.filter(
            project_id__in=in_file if len(with_node) > many() else with_node,
            actual_date__isnull=False,
        )
        .order_by()
        .values_list("project_id", "node_id", "actual_date")
    ):
        if pid in with_node and day is not None:
            actual[pid][node_id] = day
    locked: set[tuple[int | None, int, int]] = set(
        MonthLock.objects.filter(is_active=True, year__in=years).values_list(
            "county_id", "year", "month"
        )
    )
    settings = ProjectSettings.current()
    started, actual = dict(started), dict(actual)
    basis = (
        projects,
        tuple(map(stored_values, nodes)),
        tuple(map(stored_values, window)),
        base,
        plans,
        started,
        actual,
        locked,
        stored_values(settings),
    )
    return _Facts(projects, window, base, plans, started, actual, locked, settings, basis)
