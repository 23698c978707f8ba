"""Figures of one unit for other modules: its headline indicators (the leaders' cockpit) and
its monthly figures and series (年度目标), from the same engine as the park profile."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.http import Http404

from dudao.orgs.models import Organisation
from dudao.stats import engine
from dudao.stats.models import Indicator, IndicatorValue

if TYPE_CHECKING:
    from dudao.accounts.models import User

from dudao.stats.selectors.base import (
    ProfileRow,
    _index,
    _profile_row,
    business_units,
    display_value,
    month_period,
    months_back,
    shift_year,
    unit_growth,
)

# --- A unit's headline indicators (the leaders' cockpit) ---------------------------------------


@dataclass
class UnitHeadlines:
    """A city's or county's summary indicators for its latest approved month: value, 同比, share
    of the parent's value, rank among its peers (same parent, same kind) and a monthly series."""

    unit: Organisation
    period: dt.date | None
    rows: list[ProfileRow]
    peers: int

    @property
    def period_label(self) -> str:
        return "" if self.period is None else month_period(self.period).label()


def unit_headlines(
    actor: User, unit: Organisation, period: dt.date | None = None, *, months: int = 13
) -> UnitHeadlines:
    """The catalogue's headline (列入综述) indicators of ``unit`` as `park_profile` figures them:
    the same value, 同比, share and rank rules; the peers are the units with the same parent and
    kind (a county among the city's counties, a city among the province's cities).
    404 outside the actor's business scope. Four queries."""
    if not business_units(actor).filter(pk=unit.pk).exists():
        raise Http404("没有这个单位，或不在您的数据范围内。")
    indicators = list(
        Indicator.objects.filter(in_summary=True, is_active=True).order_by("sort_order", "code")
    )
    own = IndicatorValue.objects.approved().filter(organisation=unit)
    if period is None:
        period = (
            own.filter(indicator__in=indicators)
            .order_by("-period")
            .values_list("period", flat=True)
            .first()
        )
    peer_q = Q(organisation__parent_id=unit.parent_id, organisation__kind=unit.kind)
    peers_count = 0
    if period is None:
        return UnitHeadlines(unit, None, [], peers_count)
    rows = _index(
        own.filter(
            Q(period__gte=months_back(period, months - 1), period__lte=period)
            | Q(period=shift_year(period, -1)),
            indicator__in=indicators,
        )
        .only("organisation_id", "indicator_id", "period", "value", "yoy_percent", "base")
        .order_by()
    )
    at_period = (
        IndicatorValue.objects.approved()
        .filter(
            Q(organisation_id=unit.parent_id) | peer_q if unit.parent_id else peer_q,
            period=period,
            indicator__in=indicators,
        )
        .values_list("organisation_id", "indicator_id", "value")
        .order_by()
    )
    peer_values: dict[int, dict[int, Decimal]] = defaultdict(dict)
    parent_values: dict[int, Decimal] = {}
    peer_ids: set[int] = set()
    for org_id, ind_id, value in at_period:
        if org_id == unit.parent_id:
            parent_values[ind_id] = value
        else:
            peer_values[ind_id][org_id] = value
            peer_ids.add(org_id)
    span = month_period(period)
    result = [
        _profile_row(
            ind,
            org_id=unit.pk,
            period=period,
            span=span,
            rows=rows,
            peer_values=peer_values,
            city_values=parent_values,
            months=months,
        )
        for ind in indicators
    ]
    return UnitHeadlines(unit, period, result, len(peer_ids))


# --- unit figures for other modules (年度目标) --------------------------------------------------


@dataclass(frozen=True)
class UnitFigure:
    """One organisation's approved figure of an indicator for a month, as the engine reads it:
    the stored value (万元 for money), its display with unit, and its 同比 (displayed percent
    and phrase) when it can be computed honestly."""

    organisation_id: int
    value: Decimal
    display: str
    growth_pct: Decimal | None
    growth_text: str
    cumulative: bool


def indicator_exists(code: str) -> bool:
    """True when the catalogue has an active indicator with this code."""
    return Indicator.objects.filter(code=code, is_active=True).exists()


@dataclass(frozen=True, slots=True)
class _StoredValue:
    """The columns `unit_growth` reads, without a model instance (many rows, read only)."""

    value: Decimal
    yoy_percent: Decimal | None
    base: Decimal | None


@dataclass(frozen=True)
class UnitSeries:
    """Several months of one indicator for many units (see `unit_series`), and the function
    that writes a level of it (a target, a forecast) the way its figures are written."""

    figures: dict[dt.date, dict[int, UnitFigure]]
    format: Callable[[Decimal], str]


def unit_series(
    actor: User,
    code: str,
    periods: Any,
    org_ids: Any,
    *,
    rate_decimals: int = 1,
    levels_only: Any = (),
    growth_only: Any = (),
) -> UnitSeries | None:
    """Approved values of indicator `code` for each month of `periods` (1–N月 for a flow) and
    each organisation of `org_ids` in the actor's scope, with display and 同比 (the base months
    are read in the same query): two queries whatever the number of months and units. For the
    months of `levels_only` only the value is given (no display, no 同比); for those of
    `growth_only` the value and the 同比 percent (no display, no phrase). None when the
    catalogue has no such active indicator; missing values are simply absent."""
    bare = {p.replace(day=1) for p in levels_only}
    terse = {p.replace(day=1) for p in growth_only}
    ind = Indicator.objects.filter(code=code, is_active=True).first()
    if ind is None:
        return None
    months = {p.replace(day=1) for p in periods}
    wanted = months | {shift_year(p, -1) for p in months - bare}
    rows = (
        IndicatorValue.objects.approved()
        .filter(
            indicator=ind,
            organisation_id__in=list(org_ids),
            period__in=sorted(wanted),
            organisation__in=business_units(actor),
        )
        .values_list("organisation_id", "period", "value", "yoy_percent", "base")
        .order_by()
    )
    index = {(r[1], r[0]): _StoredValue(r[2], r[3], r[4]) for r in rows}
    unit = ind.display_unit
    cumulative = ind.kind == Indicator.Kind.FLOW
    figures: dict[dt.date, dict[int, UnitFigure]] = {p: {} for p in months}
    for (period, org_id), row in index.items():
        if period not in months:
            continue
        if period in bare:
            figures[period][org_id] = UnitFigure(org_id, row.value, "", None, "", cumulative)
            continue
        growth, _note = unit_growth(ind, row, index.get((shift_year(period, -1), org_id)))
        if period in terse:
            pct = None if growth is None else engine.displayed_percent(growth.rate, rate_decimals)
            figures[period][org_id] = UnitFigure(org_id, row.value, "", pct, "", cumulative)
            continue
        figures[period][org_id] = UnitFigure(
            organisation_id=org_id,
            value=row.value,
            display=f"{display_value(ind, row.value)}{unit}",
            growth_pct=None
            if growth is None
            else engine.displayed_percent(growth.rate, rate_decimals),
            growth_text=""
            if growth is None
            else engine.growth_phrase(growth, decimals=rate_decimals),
            cumulative=cumulative,
        )
    return UnitSeries(figures, partial(_level_text, ind))


def unit_figures(
    actor: User, code: str, period: dt.date, org_ids: Any, *, rate_decimals: int = 1
) -> dict[int, UnitFigure]:
    """`unit_series` for one month: {organisation id: figure}."""
    series = unit_series(actor, code, [period], org_ids, rate_decimals=rate_decimals)
    return {} if series is None else series.figures[period.replace(day=1)]


def level_formats(codes: Any) -> dict[str, Callable[[Decimal], str]]:
    """For each indicator code, the function that writes a level (a target, a forecast) the way
    its figures are written ("350.0亿元", "95家"), in one query."""
    return {
        ind.code: partial(_level_text, ind)
        for ind in Indicator.objects.filter(code__in=list(codes))
    }


def _level_text(ind: Indicator, value: Decimal) -> str:
    return f"{display_value(ind, value)}{ind.display_unit}"
