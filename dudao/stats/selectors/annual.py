"""Annual figures (年度指标) of units for pages, the cockpit and bulletins: the approved figure of
a year, last year's, and the change (较上年) as the engine words it. Indicators written by other
modules (the 亩均效益评价 rollups of enterprises) are read here like any other."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from dudao.stats import engine
from dudao.stats.models import Indicator, IndicatorValue, StatsSettings, annual_period
from dudao.stats.selectors.base import business_units

if TYPE_CHECKING:
    from dudao.accounts.models import User


@dataclass(frozen=True)
class AnnualFigure:
    """One unit's approved figure of an annual indicator for a year, with last year's."""

    organisation_id: int
    code: str
    name: str
    unit: str
    year: int
    value: Decimal
    display: str
    previous: Decimal | None
    previous_display: str
    change: engine.AnnualChange


def annual_figures(
    actor: User,
    year: int,
    *,
    org_ids: Iterable[int] | None = None,
    codes: Iterable[str] | None = None,
) -> list[AnnualFigure]:
    """Approved figures of the active annual indicators for ``year`` (and ``year − 1`` for the
    change) of the units in the actor's scope, optionally only ``org_ids`` / ``codes``; ordered
    by unit, then the catalogue's order. Units without a figure for the year are absent.
    Three queries."""
    indicators = Indicator.objects.filter(
        frequency=Indicator.Frequency.ANNUAL, is_active=True
    ).order_by("sort_order", "code")
    if codes is not None:
        indicators = indicators.filter(code__in=list(codes))
    by_id = {i.pk: i for i in indicators}
    if not by_id:
        return []
    rows = IndicatorValue.objects.approved().filter(
        indicator_id__in=list(by_id),
        period__in=[annual_period(year), annual_period(year - 1)],
        organisation__in=business_units(actor),
    )
    if org_ids is not None:
        rows = rows.filter(organisation_id__in=list(org_ids))
    values: dict[tuple[int, int, int], Decimal] = {
        (org, ind, period.year): value
        for org, ind, period, value in rows.values_list(
            "organisation_id", "indicator_id", "period", "value"
        ).order_by()
    }
    rate_decimals = StatsSettings.current().rate_decimals
    order = {pk: n for n, pk in enumerate(by_id)}
    out = []
    for org, ind_id, y in sorted(values, key=lambda k: (k[0], order[k[1]])):
        if y != year:
            continue
        ind = by_id[ind_id]
        value = values[(org, ind_id, y)]
        previous = values.get((org, ind_id, year - 1))
        out.append(
            AnnualFigure(
                organisation_id=org,
                code=ind.code,
                name=ind.name,
                unit=ind.unit,
                year=year,
                value=value,
                display=engine.annual_display(value, ind.unit, ind.decimals),
                previous=previous,
                previous_display=""
                if previous is None
                else engine.annual_display(previous, ind.unit, ind.decimals),
                change=engine.annual_change(
                    value,
                    previous,
                    unit=ind.unit,
                    decimals=ind.decimals,
                    rate_decimals=rate_decimals,
                ),
            )
        )
    return out


def latest_annual_figures(actor: User, org_id: int) -> list[AnnualFigure]:
    """One unit's annual figures of its latest year with an approved one (in the actor's scope),
    with the change against the year before; [] when it has none. Four queries."""
    latest = (
        IndicatorValue.objects.approved()
        .filter(
            organisation_id=org_id,
            organisation__in=business_units(actor),
            indicator__frequency=Indicator.Frequency.ANNUAL,
            indicator__is_active=True,
        )
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    if latest is None:
        return []
    return annual_figures(actor, latest.year, org_ids=[org_id])
