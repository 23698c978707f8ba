"""Figures of a county, the city or a park for other modules (年度目标): year-to-date investment,
funds, new starts and completions, as single months and as series."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth, ExtractYear

from dudao.orgs.models import Organisation, path_segment
from dudao.projects.models import (
    CountyMonthStat,
    MilestoneNode,
    MonthlyReport,
    ProjectMilestone,
)
from dudao.projects.rules import (
    month_end,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User

from dudao.projects.selectors.analysis import CENT, ZERO, S

# --- unit figures for other modules (年度目标) --------------------------------------------------

UNIT_METRICS: dict[str, str] = {
    "ytd_investment": "年内累计完成投资",
    "funds": "年内累计到位资金",
    "starts": "年内新开工项目数",
    "completions": "年内竣工项目数",
}


def unit_figures(
    actor: User, metric: str, year: int, month: int, org_ids: Iterable[int]
) -> dict[int, Decimal]:
    """`unit_series` for one month: {organisation id: figure}."""
    return unit_series(actor, metric, [(year, month)], org_ids)[(year, month)]


def unit_series(
    actor: User, metric: str, months: Iterable[tuple[int, int]], org_ids: Iterable[int]
) -> dict[tuple[int, int], dict[int, Decimal]]:
    """One of `UNIT_METRICS` for 1–M of each (year, M) of `months`, for each organisation of
    `org_ids` in the actor's scope, in a few queries whatever the number of months and units:
    a county (or the city above several) sums its counties' approved roll-up (万元) or counts
    its projects' actual milestone dates; a park committee its park's projects. Organisations
    outside the scope, or neither county, city nor park, are left out."""
    if metric not in UNIT_METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    wanted = sorted(set(months))
    result: dict[tuple[int, int], dict[int, Decimal]] = {ym: {} for ym in wanted}
    orgs = list(
        Organisation.objects.visible_to(actor)
        .filter(pk__in=list(org_ids))
        .only("pk", "path", "kind")
    )
    if not orgs or not wanted:
        return result
    years = sorted({y for y, _ in wanted})
    parks = [o.pk for o in orgs if o.kind == Organisation.Kind.PARK_COMMITTEE]
    areas = [o for o in orgs if o.kind != Organisation.Kind.PARK_COMMITTEE]
    if areas:
        # county → the requested areas it lies in (itself, its city …), by path prefixes
        wanted_paths = {a.path: a.pk for a in areas}
        members: dict[int, list[int]] = defaultdict(list)
        for c in Organisation.objects.filter(kind=Organisation.Kind.COUNTY_GOV).only("pk", "path"):
            for p in _prefixes(c.path):
                if p in wanted_paths:
                    members[wanted_paths[p]].append(c.pk)
        monthly = _monthly(
            metric, years, "county", sorted({pk for ids in members.values() for pk in ids})
        )
        for area_pk, inside in members.items():
            for ym in wanted:
                result[ym][area_pk] = sum((_upto(monthly.get(pk, {}), ym) for pk in inside), ZERO)
    if parks:
        monthly = _monthly(metric, years, "park", parks)
        for ym in wanted:
            for pk in parks:
                result[ym][pk] = _upto(monthly.get(pk, {}), ym)
    return result


def _prefixes(path: str) -> list[str]:
    """The paths of an organisation and of every organisation above it."""
    return [path[:i] for i in range(len(path_segment(0)), len(path) + 1, len(path_segment(0)))]


def _upto(by_month: dict[tuple[int, int], Decimal], ym: tuple[int, int]) -> Decimal:
    """The 1–M total of a unit from its per-month amounts."""
    year, month = ym
    return Decimal(
        sum((v for (y, m), v in by_month.items() if y == year and m <= month), ZERO)
    ).quantize(CENT)


def _monthly(
    metric: str, years: list[int], by: str, ids: list[int]
) -> dict[int, dict[tuple[int, int], Decimal]]:
    """{unit: {(year, month): amount or count}} for `years`, one query."""
    out: dict[int, dict[tuple[int, int], Decimal]] = defaultdict(dict)
    if metric in ("ytd_investment", "funds"):
        rows: Iterable[tuple[Any, ...]]
        if by == "county":
            field_name = "invest" if metric == "ytd_investment" else "funds"
            rows = (
                CountyMonthStat.objects.filter(county_id__in=ids, year__in=years)
                .values_list("county_id", "year", "month")
                .annotate(s=Sum(field_name))
            )
        else:
            field_name = "invest_month" if metric == "ytd_investment" else "funds_month"
            rows = (
                MonthlyReport.objects.filter(
                    project__park__organisation_id__in=ids, year__in=years, status=S.APPROVED
                )
                .values_list("project__park__organisation_id", "year", "month")
                .annotate(s=Sum(field_name))
            )
        for unit, year, month, amount in rows:
            out[unit][(year, month)] = Decimal(amount or ZERO)
        return out
    key = "project__county_id" if by == "county" else "project__park__organisation_id"
    role = MilestoneNode.Role.START if metric == "starts" else MilestoneNode.Role.COMPLETE
    # By node id (not a join on the role) so the (node, actual_date) index is used.
    nodes = list(MilestoneNode.objects.filter(role=role).values_list("pk", flat=True))
    counted = (
        ProjectMilestone.objects.filter(
            node_id__in=nodes,
            actual_date__gte=month_end(years[0], 1).replace(day=1),
            actual_date__lte=month_end(years[-1], 12),
            project__is_active=True,
            **{f"{key}__in": ids},
        )
        .annotate(y=ExtractYear("actual_date"), m=ExtractMonth("actual_date"))
        .values_list(key, "y", "m")
        .annotate(n=Count("project", distinct=True))
        .order_by()
    )
    for unit, year, month, n in counted:
        out[unit][(year, month)] = Decimal(n)
    return out
