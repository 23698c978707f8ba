"""Read-side queries of the enterprises app, each starting from the user's data scope
(out of scope answers 404, exactly as missing)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404, QueryDict

from dudao.core.numbers import round_half_up
from dudao.enterprises.models import (
    AnnualValue,
    Enterprise,
    EvaluationResult,
    EvaluationRun,
    FactorPolicy,
    RegimeItem,
)
from dudao.enterprises.rules import DATA_ITEMS, METRICS, Grade, UngradedClass

if TYPE_CHECKING:
    from dudao.accounts.models import User

SCALE_LABELS = dict(RegimeItem.Scale.choices)
ENTERPRISE_ORDERS: dict[str, tuple[str, ...]] = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "land": ("land_own_mu", "id"),
    "-land": ("-land_own_mu", "-id"),
    "employees": ("employees", "id"),
    "-employees": ("-employees", "-id"),
}
# The grade list's sorts (core.listing). "rank" is the published order — per scale, the ranked
# enterprises by score (rank = competition rank of the score, so equal to ordering by it), then
# the not-graded ones; every column is NOT NULL, so the first page is read from the
# (run, scale, -graded, -total, enterprise) index of the current results without a sort.
RESULT_SORTS: dict[str, tuple[str, ...]] = {
    "rank": ("scale", "-graded", "-total", "enterprise_id"),
    "total": ("-total", "enterprise_id"),  # highest score first
    "name": ("enterprise__name",),
}
# The columns of a grade list row (list page and Excel), read as plain values: the result's
# own (the list query and its COUNT need no join) and, for the rows shown, the names.
RESULT_ROW = (
    "id",
    "enterprise_id",
    "park_id",
    "scale",
    "item_score",
    "bonus",
    "penalty",
    "total",
    "rank",
    "ranked_count",
    "grade",
    "graded",
    "ungraded_class",
)
RESULT_NAMES = ("enterprise__name", "enterprise__uscc", "park__name", "park__short_name")


def enterprises(actor: User) -> QuerySet[Enterprise]:
    """The enterprises in the actor's data scope."""
    return Enterprise.objects.visible_to(actor)


@dataclass(frozen=True)
class EnterpriseFilter:
    q: str = ""
    park: int | None = None
    scale: str = ""  # above | below | ""

    @classmethod
    def from_query(cls, query: QueryDict) -> EnterpriseFilter:
        park = query.get("park", "")
        return cls(
            q=query.get("q", "").strip()[:60],
            park=int(park) if park.isdigit() and len(park) < 10 else None,
            scale=query.get("scale", "") if query.get("scale") in {"above", "below"} else "",
        )


def list_enterprises(actor: User, f: EnterpriseFilter, order: str = "") -> QuerySet[Enterprise]:
    qs = enterprises(actor).select_related("park", "organisation")
    if f.q:
        qs = qs.filter(Q(name__contains=f.q) | Q(uscc__startswith=f.q.upper()))
    if f.park is not None:
        qs = qs.filter(park_id=f.park)
    if f.scale:
        qs = qs.filter(above_scale=f.scale == "above")
    return qs.order_by(*ENTERPRISE_ORDERS.get(order, ("name", "id")))


def get_enterprise(actor: User, pk: int) -> Enterprise:
    """One enterprise in scope, or Http404 (missing and out of scope alike)."""
    found = (
        enterprises(actor)
        .select_related("park", "organisation", "chain_node")
        .prefetch_related("statuses")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("企业不存在或不在您的数据范围内。")
    return found


def current_run(actor: User, year: int | None = None) -> EvaluationRun | None:
    """The current run covering the actor's scope (the latest year unless `year` is given):
    the run of the actor's own scope, or of the widest scope above it."""
    path = actor.organisation.scope_path if actor.organisation else None
    if path is None:
        return None
    runs = EvaluationRun.objects.filter(is_current=True).select_related("regime")
    if year is not None:
        runs = runs.filter(year=year)
    candidates = [r for r in runs.order_by("-year", "scope_path") if path.startswith(r.scope_path)]
    return candidates[0] if candidates else None


def run_years(actor: User) -> list[int]:
    path = actor.organisation.scope_path if actor.organisation else ""
    years = EvaluationRun.objects.filter(is_current=True).values_list("year", "scope_path")
    return sorted({y for y, p in years if path and path.startswith(p)}, reverse=True)


def grade_list(
    actor: User, run: EvaluationRun, *, park: int | None = None, grade: str = ""
) -> QuerySet[EvaluationResult]:
    """The current results of a run in the actor's scope, unordered (the page sorts them with
    RESULT_SORTS). The whole run without the join on the organisation tree when the run's scope
    lies inside the actor's; otherwise only the results of organisations in the actor's scope."""
    path = actor.organisation.scope_path if actor.organisation else None
    if path is not None and actor.has_business_role and run.scope_path.startswith(path):
        qs = EvaluationResult.objects.filter(run=run, is_current=True)
    else:
        qs = EvaluationResult.objects.visible_to(actor).filter(run=run, is_current=True)
    if park is not None:
        qs = qs.filter(park_id=park)
    if grade in Grade.values:
        qs = qs.filter(grade=grade)
    return qs.order_by()


def grade_rows(results: QuerySet[EvaluationResult], *, names: bool = False) -> QuerySet[Any]:
    """A grade list as shaped rows (dicts of RESULT_ROW, with RESULT_NAMES when ``names``): no
    model instances, no per-row query. A page adds the names of its rows with `with_names`."""
    rows: QuerySet[Any] = results.values(*RESULT_ROW, *(RESULT_NAMES if names else ()))
    return rows


def with_names(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of one page with their enterprise and park names (one query) and labels."""
    found = {
        r["id"]: r
        for r in EvaluationResult.objects.filter(pk__in=[r["id"] for r in rows]).values(
            "id", *RESULT_NAMES
        )
    }
    return [shape_row({**r, **found.get(r["id"], dict.fromkeys(RESULT_NAMES))}) for r in rows]


def shape_row(row: dict[str, Any]) -> dict[str, Any]:
    """Add the labels a row is shown with (park, scale, grade, not-graded class)."""
    row["park_display"] = row["park__short_name"] or row["park__name"] or ""
    row["scale_label"] = SCALE_LABELS.get(row["scale"], row["scale"])
    row["grade_label"] = Grade(row["grade"]).label if row["grade"] in Grade.values else ""
    row["ungraded_label"] = (
        UngradedClass(row["ungraded_class"]).label if row["ungraded_class"] else ""
    )
    return row


def grade_shares(results: QuerySet[EvaluationResult]) -> list[tuple[str, int]]:
    """(grade label, count) for A–D of a result list."""
    counts = dict(results.order_by().values_list("grade").annotate(n=Count("id")))
    return [(g.label, counts.get(g.value, 0)) for g in Grade]


def latest_result(enterprise: Enterprise) -> EvaluationResult | None:
    return (
        EvaluationResult.objects.filter(
            enterprise=enterprise, is_current=True, run__is_current=True
        )
        .select_related("run__regime")
        .order_by("-run__year")
        .first()
    )


def factor_policies(run: EvaluationRun | None, grade: str | None = None) -> list[FactorPolicy]:
    if run is None:
        return []
    qs = FactorPolicy.objects.filter(regime_id=run.regime_id)
    if grade:
        qs = qs.filter(grade=grade)
    return list(qs)


@dataclass(frozen=True)
class ItemLine:
    """One line of a grade's explanation, as shown (values rounded half-up for display)."""

    label: str
    unit: str
    weight: str
    value: str
    benchmark: str
    ratio: str
    score: str
    note: str


def _shown(value: Any, places: int) -> str:
    if value is None:
        return "—"
    return f"{round_half_up(Decimal(value), places)}"


def explain(result: EvaluationResult) -> list[ItemLine]:
    """Every item of a result with its value, benchmark, ratio and score."""
    lines = []
    for row in result.items:
        metric = METRICS[row["metric"]]
        if row["missing"]:
            note = "数据缺失，" + (
                "取同类企业平均得分" if row["missing_rule"] == "average" else "记0分"
            )
        elif row["capped"]:
            note = "比值封顶"
        else:
            note = ""
        lines.append(
            ItemLine(
                label=metric.label,
                unit=metric.unit,
                weight=_shown(row["weight"], 2),
                value=_shown(row["value"], 4 if row["metric"] == "rnd_ratio" else 2),
                benchmark=_shown(row["benchmark"], 4 if row["metric"] == "rnd_ratio" else 3),
                ratio=_shown(row["ratio"], 4),
                score=_shown(row["score"], 2),
                note=note,
            )
        )
    return lines


def annual_values(enterprise: Enterprise) -> list[tuple[int, list[tuple[str, str, str]]]]:
    """Per year (newest first): (item label, value with unit or 缺失, source) for every item."""
    rows = AnnualValue.objects.filter(enterprise=enterprise).order_by("-year")
    by_year: dict[int, dict[str, AnnualValue]] = {}
    for row in rows:
        by_year.setdefault(row.year, {})[row.item] = row
    out = []
    for year, items in by_year.items():
        lines = []
        for code, item in DATA_ITEMS.items():
            found = items.get(code)
            if found is None:
                lines.append((item.label, "缺失", ""))
            else:
                lines.append(
                    (item.label, f"{round_half_up(found.value, 2)} {item.unit}", found.source)
                )
        out.append((year, lines))
    return out
