"""The reports importer's write: new and changed reports in bulk with their running totals,
the later months re-derived, the plan roll-up and one audit event for the file."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.bulk import fast_insert, fast_update, fetch_rows
from dudao.core.imports import ImportReport
from dudao.projects import services
from dudao.projects.importers._common import ZERO, S, file_digest, many
from dudao.projects.models import MonthlyReport

if TYPE_CHECKING:
    from dudao.accounts.models import User


class ProjectFacts(NamedTuple):
    """What the import reads of a project: one values_list tuple, not a model instance."""

    pk: int
    code: str | None
    county_id: int
    total_investment: Decimal
    invest_before: Decimal
    stage: str


@dataclass
class _New:
    """A report the import will create (plain values: no model instance per row)."""

    project_id: int
    county_id: int
    year: int
    month: int
    data: services.ReportInput
    invest_ytd: Decimal = ZERO
    funds_ytd: Decimal = ZERO
    invest_total: Decimal = ZERO

    @property
    def invest_month(self) -> Decimal:
        return self.data.invest_month

    @property
    def funds_month(self) -> Decimal:
        return self.data.funds_month


NEW_FIELDS = [
    "project",
    "county",
    "year",
    "month",
    "invest_month",
    "invest_ytd",
    "invest_total",
    "funds_month",
    "funds_ytd",
    "node",
    "node_date",
    "progress_text",
    "has_problem",
    "problem_text",
    "next_steps",
    "note",
    "status",
    "return_reason",
    "is_late",
    "created_by",
    "created_at",
    "updated_at",
    "version",
]


@dataclass
class _Base:
    """A project's running totals just before its first month in the file."""

    year: int
    ytd: Decimal = ZERO
    funds: Decimal = ZERO
    total: Decimal = ZERO


def _running_totals(first: dict[int, tuple[int, int]], in_file: Any) -> dict[int, _Base]:
    """From each project's report of the month before its first file month (one query per
    distinct first month); projects with a gap there fall back to one aggregate query.
    `in_file`: the file's project ids, or a subquery of the actor's scope for a long file."""
    out: dict[int, _Base] = {}
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for pid, ym in first.items():
        groups[ym].append(pid)
    missing: list[tuple[int, tuple[int, int]]] = []
    for (y, m), pids in groups.items():
        py, pm = (y - 1, 12) if m == 1 else (y, m - 1)
        found = {
            pid: (yr, ytd, funds, total)
            for pid, yr, ytd, funds, total in fetch_rows(
                MonthlyReport.objects.filter(
                    project_id__in=in_file if len(pids) > many() else pids, year=py, month=pm
                )
                .order_by()
                .values_list("project_id", "year", "invest_ytd", "funds_ytd", "invest_total")
            )
        }
        for pid in pids:
            if pid in found:
                yr, ytd, funds, total = found[pid]
                same = yr == y
                out[pid] = _Base(y, ytd if same else ZERO, funds if same else ZERO, total)
            else:
                missing.append((pid, (y, m)))
    if missing:
        from django.db.models import Case, Sum, When

        by_month: dict[tuple[int, int], list[int]] = defaultdict(list)
        for pid, ym in missing:
            by_month[ym].append(pid)
        for (y, m), pids in by_month.items():
            sums = {
                row["project_id"]: row
                for row in MonthlyReport.objects.filter(project_id__in=pids)
                .filter(Q(year__lt=y) | Q(year=y, month__lt=m))
                .values("project_id")
                .annotate(
                    total=Sum("invest_month"),
                    ytd=Sum(Case(When(year=y, then="invest_month"))),
                    funds=Sum(Case(When(year=y, then="funds_month"))),
                )
            }
            for pid in pids:
                row = sums.get(pid, {})
                out[pid] = _Base(
                    y,
                    *(
                        Decimal(str(row.get(k) or 0)).quantize(Decimal("0.01"))
                        for k in ("ytd", "funds", "total")
                    ),
                )
    return out


def _cumulative(
    base: _Base, series: dict[tuple[int, int], tuple[Decimal, Decimal]], year: int, month: int
) -> tuple[Decimal, Decimal, Decimal]:
    """(ytd invest, ytd funds, since-start invest, excluding the project's invest_before) of
    the months strictly before year-month."""
    ytd = base.ytd if base.year == year else ZERO
    funds = base.funds if base.year == year else ZERO
    total = base.total
    for (y, m), (inv, fund) in series.items():
        if (y, m) < (year, month):
            total += inv
            if y == year:
                ytd += inv
                funds += fund
    return ytd, funds, total


def _derive(
    reports: list[Any],
    base: dict[int, _Base],
    monthly: dict[int, dict[tuple[int, int], Any]],
    projects: dict[int, ProjectFacts],
) -> None:
    """Set invest_ytd / funds_ytd / invest_total of `reports` from the overlaid monthly series."""
    for r in reports:
        ytd, funds, total = _cumulative(base[r.project_id], monthly[r.project_id], r.year, r.month)
        r.invest_ytd = ytd + r.invest_month
        r.funds_ytd = funds + r.funds_month
        r.invest_total = projects[r.project_id].invest_before + total + r.invest_month


def _write_reports(
    *,
    actor: User,
    created: list[_New],
    updated: list[MonthlyReport],
    later: list[MonthlyReport],
    base: dict[int, _Base],
    monthly: dict[int, dict[tuple[int, int], Any]],
    projects: dict[int, ProjectFacts],
    filename: str,
    data: bytes,
    report: ImportReport,
) -> None:
    now = timezone.now()
    for r in updated:
        r.version += 1
        r.updated_at = now
    _derive([*created, *updated, *later], base, monthly, projects)
    stamp = connection.ops.adapt_datetimefield_value(now)  # once, not per row
    fast_insert(
        MonthlyReport,
        NEW_FIELDS,
        (
            (
                n.project_id,
                n.county_id,
                n.year,
                n.month,
                n.data.invest_month,
                n.invest_ytd,
                n.invest_total,
                n.data.funds_month,
                n.funds_ytd,
                n.data.node.pk if n.data.node else None,
                n.data.node_date,
                n.data.progress_text,
                n.data.has_problem,
                n.data.problem_text,
                n.data.next_steps,
                n.data.note,
                S.DRAFT.value,
                "",
                False,
                actor.pk,
                stamp,
                stamp,
                1,
            )
            for n in created
        ),
    )
    fields = [
        *(f for f in services.REPORT_FIELDS if f != "node"),
        "node",
        "invest_ytd",
        "funds_ytd",
        "invest_total",
        "version",
        "updated_at",
    ]
    fast_update(
        MonthlyReport,
        fields,
        [(*(getattr(r, f if f != "node" else "node_id") for f in fields), r.pk) for r in updated],
    )
    fast_update(
        MonthlyReport,
        ["invest_ytd", "funds_ytd", "invest_total"],
        [(r.invest_ytd, r.funds_ytd, r.invest_total, r.pk) for r in later],
    )
    for pid, year in {(r.project_id, r.year) for r in later if r.status == S.APPROVED}:
        services.refresh_plan_rollup(pid, year)
    record_event(
        actor=actor,
        action="project.import",
        organisation=actor.organisation,
        after={
            "kind": "reports",
            "file": filename,
            "sha256": file_digest(data),
            **report.as_dict(),
        },
        object_repr=f"月报导入：{filename}",
    )
