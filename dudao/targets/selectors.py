"""Reads of 年度目标, always from the user's scope (rows of units outside it do not exist).

The month's evaluation of a sheet: each row's actual is asked of the module that owns the
figure (``dudao.stats.selectors.unit_figures``, ``dudao.projects.selectors.unit_figures``) in
one call per indicator for all units — never one per row and never recomputed here — then
``dudao.targets.rules`` turns it into completion, 序时进度, gap, light, weak link, forecast and
sentence. Ranks (分类排队) come from ``dudao.core.ranks``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.http import Http404

from dudao.core.numbers import format_decimal, format_yi
from dudao.core.ranks import competition_rank, rank_changes
from dudao.core.scoping import scope_path_of
from dudao.orgs.models import Organisation
from dudao.projects import selectors as projects
from dudao.stats import selectors as stats
from dudao.supervision import selectors as supervision
from dudao.targets import rules
from dudao.targets.models import (
    Improvement,
    ProvinceRank,
    TargetIndicator,
    TargetRow,
    TargetSet,
    TargetSettings,
    UnitClass,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User

UNCLASSIFIED = "未分类"


# --- the public shapes the cockpit reads --------------------------------------------------------


@dataclass(frozen=True)
class TargetProgress:
    """One target row evaluated for a month. Rates are percents as displayed (74.0 = 74.0%);
    `gap_pp` is in 个百分点 from those displayed rates, positive when ahead."""

    set_id: int
    unit_id: int
    unit_name: str
    indicator_code: str
    indicator_name: str
    kind: str  # absolute / growth / count / share
    target_display: str  # "12.0%" / "350.0亿元" — formatted by the owning engines
    actual_display: str
    completion_rate: Decimal | None
    schedule_rate: Decimal | None  # 序时进度
    gap_pp: Decimal | None  # 个百分点, from displayed rates
    gap_display: str  # "落后序时进度3.2个百分点" / "超序时进度1.0个百分点" / "—"
    light: str  # the core/lights band name
    weak: bool
    sentence: str


@dataclass(frozen=True)
class UnitStanding:
    """A unit's weighted total for the month and its rank within its class (分类排队)."""

    unit_id: int
    unit_name: str
    class_name: str
    weighted_score: Decimal | None
    rank_in_class: int | None
    rank_change: int | None
    weak_links: int
    rows: int


@dataclass
class RowResult:
    """What the sheet page shows for one row: the public progress and the extras."""

    row: TargetRow
    progress: TargetProgress
    class_name: str = UNCLASSIFIED
    trend: str = ""
    forecast_display: str = ""
    forecast_method: str = ""
    rank_in_class: int | None = None
    province_rank: str = ""
    improvement: ImprovementView | None = None


@dataclass(frozen=True)
class ImprovementView:
    task_id: int
    code: str
    status: str
    light: str
    progress: Decimal


# --- scope ---------------------------------------------------------------------------------------


def thresholds() -> rules.Thresholds:
    s = TargetSettings.current()
    return rules.Thresholds(
        yellow_from=s.yellow_from,
        red_above=s.red_above,
        weak_from=s.weak_from,
        rate_yellow_from=s.rate_yellow_from,
        rate_red_above=s.rate_red_above,
        rate_weak_from=s.rate_weak_from,
    )


def visible_rows(user: User) -> Any:
    """Rows of units in the user's scope (none for the three administrators)."""
    return TargetRow.objects.visible_to(user)


def visible_sets(user: User) -> Any:
    """Sets the user issued (its scope holds the issuer) or that hold one of its rows."""
    ids = visible_rows(user).values("target_set_id")
    issued = TargetSet.objects.visible_to(user).values("pk")
    return TargetSet.objects.filter(pk__in=ids) | TargetSet.objects.filter(pk__in=issued)


def get_set(user: User, pk: int) -> TargetSet:
    found = visible_sets(user).filter(pk=pk).select_related("issuer").first()
    if found is None:
        raise Http404("目标表不存在或不在您的数据范围内。")
    return found  # type: ignore[no-any-return]


def get_row(user: User, pk: int) -> TargetRow:
    found = (
        visible_rows(user).filter(pk=pk).select_related("unit", "indicator", "target_set").first()
    )
    if found is None:
        raise Http404("目标行不存在或不在您的数据范围内。")
    return found  # type: ignore[no-any-return]


def indicators() -> list[TargetIndicator]:
    return list(TargetIndicator.objects.filter(is_active=True))


def classes(user: User, year: int) -> list[UnitClass]:
    """The classes set for `year` (names and members; members outside the user's scope are
    still listed by name, as the city publishes its classes)."""
    path = scope_path_of(user)
    if path is None or not user.has_business_role:
        return []
    return [
        c
        for c in UnitClass.objects.filter(year=year)
        .select_related("owner")
        .prefetch_related("members")
        .order_by("sort_order", "pk")
        # set inside the scope, or by a unit above it (the city's classes for a county)
        if c.owner.path.startswith(path) or path.startswith(c.owner.path)
    ]


def stats_indicator_codes() -> list[tuple[str, str]]:
    """(source code, name) of the target indicators read from the statistics catalogue."""
    return [
        (i.source_code, i.name)
        for i in TargetIndicator.objects.filter(is_active=True, source=TargetIndicator.Source.STATS)
    ]


# --- actuals, from the owning modules ------------------------------------------------------------


@dataclass
class _Figures:
    actual: dict[int, rules.Actual] = field(default_factory=dict)  # levels (absolute, count, share)
    growth: dict[int, rules.Actual] = field(default_factory=dict)  # 同比, for growth rows
    growth_text: dict[int, str] = field(default_factory=dict)
    ly_ytd: dict[int, Decimal] = field(default_factory=dict)
    ly_full: dict[int, Decimal] = field(default_factory=dict)
    fmt: Callable[[Decimal], str] = lambda v: format_decimal(v, 1)


def _project_format(metric: str) -> Callable[[Decimal], str]:
    if metric in ("starts", "completions"):
        return lambda v: f"{format_decimal(v, 0)}个"
    return lambda v: f"{format_yi(v)}亿元"


def _fetch(
    user: User,
    ind: TargetIndicator,
    unit_ids: list[int],
    months: dict[str, tuple[int, int]],
) -> dict[str, _Figures]:
    """One indicator's figures for all units and every month the evaluation needs (this month,
    last month, last year's same month and December), in one call of the owning module."""
    out = {name: _Figures() for name in months}
    if ind.source == TargetIndicator.Source.STATS:
        dates = {name: dt.date(y, m, 1) for name, (y, m) in months.items()}
        series = stats.unit_series(
            user,
            ind.source_code,
            list(dates.values()),
            unit_ids,
            levels_only=[dates[n] for n in ("last_year", "last_december") if n in dates],
            growth_only=[dates[n] for n in ("before",) if n in dates],
        )
        if series is None:
            return out
        for name, day in dates.items():
            f = out[name]
            f.fmt = series.format
            shown = name == "now"
            for org_id, fig in series.figures[day].items():
                f.growth_text[org_id] = fig.growth_text
                f.actual[org_id] = rules.Actual(fig.value, fig.display, fig.cumulative)
                if fig.growth_pct is not None:
                    text = f"{format_decimal(fig.growth_pct, 1)}%" if shown else ""
                    f.growth[org_id] = rules.Actual(fig.growth_pct, text, fig.cumulative)
        return out
    fmt = _project_format(ind.source_code)
    found = projects.unit_series(user, ind.source_code, list(months.values()), unit_ids)
    for name, ym in months.items():
        out[name].fmt = fmt
        out[name].actual = {
            k: rules.Actual(v, fmt(v) if name == "now" else "", True) for k, v in found[ym].items()
        }
    return out


def _target_display(row: TargetRow, fmt: Callable[[Decimal], str]) -> str:
    if row.kind in rules.RATE_KINDS:
        return f"{format_decimal(row.target_value, 1)}%"
    return fmt(row.target_value)


# --- evaluation ----------------------------------------------------------------------------------


def evaluate_rows(
    user: User,
    rows: Sequence[TargetRow],
    year: int,
    month: int,
    *,
    with_extras: bool = True,
) -> list[RowResult]:
    """Evaluate `rows` (already scope-filtered, with unit and indicator loaded) for 1–`month`."""
    t = thresholds()
    by_indicator: dict[int, list[TargetRow]] = defaultdict(list)
    for row in rows:
        by_indicator[row.indicator_id].append(row)
    months = {"now": (year, month)}
    if with_extras:
        months["last_year"] = (year - 1, month)
        months["last_december"] = (year - 1, 12)
        if month > 1:
            months["before"] = (year, month - 1)
    figures: dict[int, _Figures] = {}
    previous: dict[int, _Figures] = {}
    for ind_id, group in by_indicator.items():
        fetched = _fetch(user, group[0].indicator, sorted({r.unit_id for r in group}), months)
        now = fetched["now"]
        if with_extras:
            now.ly_ytd = {k: a.value for k, a in fetched["last_year"].actual.items()}
            now.ly_full = {k: a.value for k, a in fetched["last_december"].actual.items()}
        figures[ind_id] = now
        if "before" in fetched:
            previous[ind_id] = fetched["before"]
    results: list[RowResult] = []
    for row in rows:
        ind = row.indicator
        f = figures[row.indicator_id]
        actual = (f.growth if row.kind == "growth" else f.actual).get(row.unit_id)
        e = rules.evaluate(
            kind=row.kind,
            target=row.target_value,
            higher=ind.higher_is_better,
            month=month,
            actual=actual,
            thresholds=t,
            curve=row.curve or (),
            last_year_ytd=f.ly_ytd.get(row.unit_id),
            last_year_full=f.ly_full.get(row.unit_id),
        )
        trend = ""
        if row.indicator_id in previous:
            p = previous[row.indicator_id]
            previous_actual = (p.growth if row.kind == "growth" else p.actual).get(row.unit_id)
            _, _, before = rules.measure(
                kind=row.kind,
                target=row.target_value,
                higher=ind.higher_is_better,
                month=month - 1,
                actual=None if previous_actual is None else previous_actual.value,
                curve=row.curve or (),
                decimals=t.decimals,
            )
            trend = rules.trend_phrase(e.gap, before)
        target_display = _target_display(row, f.fmt)
        forecast_display = "" if e.forecast is None else f.fmt(e.forecast)
        unit_name = row.unit.short_name or row.unit.name
        text = rules.sentence(
            unit_name=unit_name,
            indicator_name=ind.name,
            kind=row.kind,
            month=month,
            higher=ind.higher_is_better,
            target_display=target_display,
            actual=actual,
            growth_text=f.growth_text.get(row.unit_id, ""),
            evaluation=e,
            trend=trend,
            forecast_display=forecast_display if with_extras else "",
        )
        progress = TargetProgress(
            set_id=row.target_set_id,
            unit_id=row.unit_id,
            unit_name=unit_name,
            indicator_code=ind.code,
            indicator_name=ind.name,
            kind=row.kind,
            target_display=target_display,
            actual_display=actual.display if actual is not None else "—",
            completion_rate=e.completion,
            schedule_rate=e.schedule,
            gap_pp=e.gap,
            gap_display=e.gap_display,
            light=e.light.value,
            weak=e.weak,
            sentence=text,
        )
        results.append(
            RowResult(
                row,
                progress,
                trend=trend,
                forecast_display=forecast_display,
                forecast_method=e.forecast_method,
            )
        )
    return results


def _rows(
    user: User,
    *,
    year: int,
    set_ids: Iterable[int] | None = None,
    unit_ids: Sequence[int] | None = None,
    indicator_codes: Sequence[str] | None = None,
    approved_only: bool = True,
) -> list[TargetRow]:
    qs = visible_rows(user).filter(target_set__year=year, indicator__is_active=True)
    if approved_only:
        qs = qs.filter(target_set__status=TargetSet.Status.APPROVED)
    if set_ids is not None:
        qs = qs.filter(target_set_id__in=list(set_ids))
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    if indicator_codes is not None:
        qs = qs.filter(indicator__code__in=list(indicator_codes))
    rows = list(
        qs.only(*ROW_COLUMNS).order_by(
            "target_set_id", "unit__sort_order", "unit__path", "indicator__sort_order", "pk"
        )
    )
    # Units and indicators once each (not once per row): far fewer objects to build.
    units = Organisation.objects.only(*UNIT_COLUMNS).in_bulk({r.unit_id for r in rows})
    inds = TargetIndicator.objects.in_bulk({r.indicator_id for r in rows})
    for r in rows:
        r.unit = units[r.unit_id]
        r.indicator = inds[r.indicator_id]
    return rows


# What an evaluation reads of a row and its unit (no timestamps to convert).
ROW_COLUMNS = (
    "target_set_id",
    "unit_id",
    "indicator_id",
    "kind",
    "target_value",
    "weight",
    "curve",
    "version",
)
UNIT_COLUMNS = ("name", "short_name", "sort_order", "path", "kind")


_MemoKey = tuple[int, int, frozenset[int] | None, frozenset[str] | None]


class MonthMemo:
    """One request's evaluations of every approved target row in a user's scope, per (year,
    month), each computed at most once. Not a cache: the caller creates it for one request
    (e.g. one cockpit page) and passes it explicitly to `progress_for_units` and `standings`,
    so both read the same evaluation; it is dropped with the request and never goes stale."""

    def __init__(self, user: User) -> None:
        self.user = user
        # (year, month, units or None = the whole scope, indicator codes or None = all)
        self._results: dict[_MemoKey, list[RowResult]] = {}
        self._class_of: dict[int, dict[int, str]] = {}
        self._rows: dict[int, list[TargetRow]] = {}

    def _scope_rows(self, year: int) -> list[TargetRow]:
        """The scope's rows of `year`, read once for every month evaluated."""
        if year not in self._rows:
            self._rows[year] = _rows(self.user, year=year)
        return self._rows[year]

    def results(
        self,
        year: int,
        month: int,
        unit_ids: Sequence[int] | None = None,
        indicator_codes: Sequence[str] | None = None,
    ) -> list[RowResult]:
        """The month's evaluated rows of `unit_ids` (None = the whole scope) and
        `indicator_codes` (None = all), taken from a wider evaluation already made (the whole
        scope's, or all indicators of these units) when there is one."""
        units = None if unit_ids is None else frozenset(unit_ids)
        codes = None if indicator_codes is None else frozenset(indicator_codes)
        for wider in ((year, month, None, None), (year, month, units, None)):
            found = self._results.get(wider)
            if found is not None:
                return [
                    r
                    for r in found
                    if (units is None or r.row.unit_id in units)
                    and (codes is None or r.row.indicator.code in codes)
                ]
        key = (year, month, units, codes)
        if key not in self._results:
            if units is None and codes is None:
                rows = self._scope_rows(year)
            else:
                rows = _rows(
                    self.user,
                    year=year,
                    unit_ids=None if units is None else sorted(units),
                    indicator_codes=None if codes is None else sorted(codes),
                )
            self._results[key] = evaluate_rows(self.user, rows, year, month, with_extras=False)
        return self._results[key]

    def class_of(self, year: int) -> dict[int, str]:
        if year not in self._class_of:
            self._class_of[year] = _class_of(year)
        return self._class_of[year]


def progress_for_units(
    user: User,
    *,
    year: int,
    month: int,
    unit_ids: Sequence[int] | None = None,
    indicator_codes: Sequence[str] | None = None,
    memo: MonthMemo | None = None,
) -> list[TargetProgress]:
    """Every approved target row of `year` for units in the user's scope (``unit_ids`` narrows
    it; None = all in scope), evaluated for 1–`month`. With ``memo`` (the same user's), the
    month's evaluation of the whole scope is shared with `standings` in the same request."""
    if memo is None:
        rows = _rows(user, year=year, unit_ids=unit_ids, indicator_codes=indicator_codes)
        return [r.progress for r in evaluate_rows(user, rows, year, month, with_extras=False)]
    if memo.user.pk != user.pk:
        raise ValueError("memo belongs to another user")
    return [r.progress for r in memo.results(year, month, unit_ids, indicator_codes)]


def _class_of(year: int) -> dict[int, str]:
    """unit id → class name for `year` (a unit in two classes takes the first by order)."""
    out: dict[int, str] = {}
    for c in (
        UnitClass.objects.filter(year=year).prefetch_related("members").order_by("sort_order", "pk")
    ):
        for m in c.members.all():
            out.setdefault(m.pk, c.name)
    return out


def _standings(results: Sequence[RowResult], class_of: dict[int, str]) -> dict[int, UnitStanding]:
    """Weighted totals per unit, ranked 1-2-2-4 within (sheet, class)."""
    per_unit: dict[int, list[RowResult]] = defaultdict(list)
    for r in results:
        per_unit[r.row.unit_id].append(r)
    scores: dict[int, Decimal | None] = {}
    group_of: dict[int, tuple[int, str]] = {}
    for unit_id, items in per_unit.items():
        scores[unit_id] = rules.weighted_score([(i.row.weight, i.progress.gap_pp) for i in items])
        group_of[unit_id] = (items[0].row.target_set_id, class_of.get(unit_id, UNCLASSIFIED))
    ranks: dict[int, int] = {}
    groups: dict[tuple[int, str], dict[int, Decimal]] = defaultdict(dict)
    for unit_id, score in scores.items():
        if score is not None:
            groups[group_of[unit_id]][unit_id] = score
    for members in groups.values():
        ranks.update(competition_rank(members, decimals=2))
    out: dict[int, UnitStanding] = {}
    for unit_id, items in per_unit.items():
        p = items[0].progress
        out[unit_id] = UnitStanding(
            unit_id=unit_id,
            unit_name=p.unit_name,
            class_name=group_of[unit_id][1],
            weighted_score=scores[unit_id],
            rank_in_class=ranks.get(unit_id),
            rank_change=None,
            weak_links=sum(1 for i in items if i.progress.weak),
            rows=len(items),
        )
    return out


def standings(
    user: User,
    *,
    year: int,
    month: int,
    with_change: bool = True,
    memo: MonthMemo | None = None,
) -> list[UnitStanding]:
    """分类排队 on the weighted total of each unit in scope, with the change since last month
    (same year; none in January; not computed — None — when ``with_change`` is False), ordered
    by class, then rank. ``memo``: see `progress_for_units`."""
    if memo is not None and memo.user.pk != user.pk:
        raise ValueError("memo belongs to another user")
    memo = memo or MonthMemo(user)
    class_of = memo.class_of(year)
    now = _standings(memo.results(year, month), class_of)
    changes: dict[int, int] = {}
    if with_change and month > 1:
        before = _standings(memo.results(year, month - 1), class_of)
        current = {k: v.rank_in_class for k, v in now.items() if v.rank_in_class is not None}
        earlier = {
            k: v.rank_in_class
            for k, v in before.items()
            if v.rank_in_class is not None and v.class_name == now[k].class_name
        }
        changes = {k: c.gain for k, c in rank_changes(earlier, current).items()}
    result = [
        UnitStanding(
            unit_id=s.unit_id,
            unit_name=s.unit_name,
            class_name=s.class_name,
            weighted_score=s.weighted_score,
            rank_in_class=s.rank_in_class,
            rank_change=changes.get(s.unit_id),
            weak_links=s.weak_links,
            rows=s.rows,
        )
        for s in now.values()
    ]
    order = {name: i for i, name in enumerate(_class_order(year))}
    return sorted(
        result,
        key=lambda s: (
            order.get(s.class_name, len(order)),
            s.rank_in_class if s.rank_in_class is not None else 10**6,
            s.unit_name,
        ),
    )


def _class_order(year: int) -> list[str]:
    return list(
        UnitClass.objects.filter(year=year)
        .order_by("sort_order", "pk")
        .values_list("name", flat=True)
        .distinct()
    )


# --- the sheet page ----------------------------------------------------------------------------


@dataclass
class SheetFilters:
    class_name: str = ""
    unit_id: int | None = None
    indicator_id: int | None = None
    light: str = ""
    weak_only: bool = False


def sheet(
    user: User, target_set: TargetSet, year: int, month: int, f: SheetFilters | None = None
) -> list[RowResult]:
    """A sheet's rows in scope evaluated for the month, with class, rank in class per
    indicator, the province's comparable rank and the improvement task beside each row."""
    f = f or SheetFilters()
    rows = _rows(user, year=target_set.year, set_ids=[target_set.pk], approved_only=False)
    results = evaluate_rows(user, rows, year, month)
    class_of = _class_of(target_set.year)
    # rank within class per indicator and kind, on the gap (ahead first)
    groups: dict[tuple[int, str, str], dict[int, Decimal]] = defaultdict(dict)
    for r in results:
        r.class_name = class_of.get(r.row.unit_id, UNCLASSIFIED)
        if r.progress.gap_pp is not None:
            groups[(r.row.indicator_id, r.row.kind, r.class_name)][r.row.pk] = r.progress.gap_pp
    ranks: dict[int, int] = {}
    for members in groups.values():
        ranks.update(competition_rank(members, decimals=1))
    province = {
        (p.unit_id, p.indicator_id): p
        for p in ProvinceRank.objects.filter(
            year=year, month=month, unit_id__in={r.row.unit_id for r in results}
        )
    }
    improvements = improvements_for(user, [r.row.pk for r in results], year)
    for r in results:
        r.rank_in_class = ranks.get(r.row.pk)
        pr = province.get((r.row.unit_id, r.row.indicator_id))
        if pr is not None:
            r.province_rank = f"第{pr.rank}位" + (f"（共{pr.of}个）" if pr.of else "")
        r.improvement = improvements.get(r.row.pk)
    return [r for r in results if _keep(r, f)]


def _keep(r: RowResult, f: SheetFilters) -> bool:
    if f.class_name and r.class_name != f.class_name:
        return False
    if f.unit_id and r.row.unit_id != f.unit_id:
        return False
    if f.indicator_id and r.row.indicator_id != f.indicator_id:
        return False
    if f.light and r.progress.light != f.light:
        return False
    return not (f.weak_only and not r.progress.weak)


def improvements_for(user: User, row_ids: Sequence[int], year: int) -> dict[int, ImprovementView]:
    """The latest improvement task of each row, its status read from 督查督办's selectors."""
    links = list(
        Improvement.objects.visible_to(user)
        .filter(row_id__in=list(row_ids), year=year)
        .order_by("row_id", "-month")
    )
    tasks = {t.pk: t for t in supervision.tasks(user).filter(pk__in=[i.task_id for i in links])}
    out: dict[int, ImprovementView] = {}
    for link in links:
        task = tasks.get(link.task_id)
        if task is None or link.row_id in out:
            continue
        out[link.row_id] = ImprovementView(
            task.pk,
            task.code,
            task.get_status_display(),
            task.get_light_display(),
            task.progress,
        )
    return out


def weak_links(user: User, year: int, month: int) -> list[RowResult]:
    """Every weak row in scope (approved sheets), worst first."""
    rows = _rows(user, year=year)
    results = [r for r in evaluate_rows(user, rows, year, month) if r.progress.weak]
    improvements = improvements_for(user, [r.row.pk for r in results], year)
    for r in results:
        r.improvement = improvements.get(r.row.pk)
    return sorted(results, key=lambda r: (r.progress.gap_pp or Decimal(0), r.progress.unit_name))


def unit_choices(user: User, target_set: TargetSet) -> list[Organisation]:
    ids = visible_rows(user).filter(target_set=target_set).values("unit_id")
    return list(Organisation.objects.filter(pk__in=ids).order_by("sort_order", "path"))
