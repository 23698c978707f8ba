"""Demo indicator values (演示数据, fictional): for every park with a 管委会, three years of
monthly 1–N月 cumulative values up to last month (five years at province scale), approved, with
county, city (and province) totals entered as published figures — larger than the parks' sum,
growing at their own pace, never computed from it."""

from __future__ import annotations

import datetime as dt
import importlib
from collections import defaultdict
from decimal import Decimal

from django.apps import apps
from django.utils import timezone

from dudao.demo.registry import DemoContext, generator
from dudao.orgs.models import Organisation
from dudao.parks.models import Park
from dudao.stats.models import Indicator, IndicatorValue

# Monthly share of the annual flow, January to December (February carries 1–2月).
SEASON = [
    Decimal(x)
    for x in (
        "0.05",
        "0.05",
        "0.08",
        "0.08",
        "0.09",
        "0.10",
        "0.08",
        "0.08",
        "0.09",
        "0.09",
        "0.10",
        "0.11",
    )
]
# Annual level of a middling park (万元 or the unit), and the parks' share of the city total.
LEVELS: dict[str, tuple[int, Decimal]] = {
    "fai": (600_000, Decimal("0.47")),
    "industrial_investment": (380_000, Decimal("0.55")),
    "industrial_value_added": (450_000, Decimal("0.62")),
    "industrial_revenue": (1_800_000, Decimal("0.64")),
    "profit": (110_000, Decimal("0.58")),
    "tax_revenue": (60_000, Decimal("0.35")),
    "employees": (21_000, Decimal("0.40")),
    "above_scale_firms": (95, Decimal("0.52")),
    "high_tech_firms": (24, Decimal("0.60")),
    "rd_expenditure": (28_000, Decimal("0.66")),
    "energy_consumption": (420_000, Decimal("0.57")),
    "built_area": (12, Decimal("0.30")),
    "out_of_province_funds": (160_000, Decimal("0.50")),
    "foreign_capital": (2_600, Decimal("0.48")),
}
CENT = Decimal("0.01")


def ensure_indicators() -> None:
    """`dudao demo --reset` flushes the tables the data migration filled: load them again."""
    if not Indicator.objects.exists():
        module = importlib.import_module("dudao.stats.migrations.0002_default_indicators")
        module.load(apps, None)
        rollups = importlib.import_module(
            "dudao.stats.migrations.0006_annual_frequency_and_evaluation_rollups"
        )
        rollups.load(apps, None)


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, current = [], first
    while current <= last:
        out.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return out


@generator(order=17, name="园区指标数值")
def indicator_values(ctx: DemoContext) -> None:  # noqa: PLR0912, PLR0915 - one pass
    rng = ctx.rng
    ensure_indicators()
    indicators = [i for i in Indicator.objects.filter(numerator=None) if i.code in LEVELS]
    last = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    years = 5 if ctx.is_province else 3
    first = dt.date(last.year - years + 1, 1, 1)
    # One extra year of bases so the first year's 同比 can be computed.
    span = months(dt.date(first.year - 1, 1, 1), last)
    parks = list(Park.objects.exclude(organisation=None).select_related("organisation"))
    city_of: dict[int, int] = {}
    county_of: dict[int, int] = {}
    for park in parks:
        county_of[park.pk] = park.county_id or 0
        parent = park.county.parent_id if park.county else park.organisation.parent_id  # type: ignore[union-attr]
        city_of[park.pk] = parent or 0
    province = Organisation.objects.filter(kind=Organisation.Kind.PROVINCE_GOV).first()
    rows: list[IndicatorValue] = []
    now = timezone.now()
    totals: dict[tuple[int, int, dt.date], Decimal] = defaultdict(Decimal)

    def add(
        org_id: int, ind: Indicator, period: dt.date, value: Decimal, yoy: Decimal | None
    ) -> None:
        rows.append(
            IndicatorValue(
                organisation_id=org_id,
                indicator=ind,
                period=period,
                value=value,
                yoy_percent=yoy,
                source=IndicatorValue.Source.STATISTICS,
                status=IndicatorValue.Status.APPROVED,
                reviewed_at=now,
                created_at=now,
                updated_at=now,
            )
        )

    for park in parks:
        org_id = park.organisation_id or 0
        size = Decimal(rng.randint(40, 180)) / 100
        for ind in indicators:
            base, _ = LEVELS[ind.code]
            level = Decimal(base) * size
            growth: dict[int, Decimal] = {}
            for year in range(span[0].year, last.year + 1):
                growth[year] = Decimal(rng.randint(-60, 220)) / 1000
            if ind.code == "built_area":
                growth = {year: Decimal(rng.randint(0, 30)) / 1000 for year in growth}
            annual: dict[int, Decimal] = {}
            for year in sorted(growth):
                annual[year] = level
                level = level * (1 + growth[year])
            if ind.code == "built_area" and park.built_area_km2:
                # The latest year matches the park's recorded built-up area.
                scale = park.built_area_km2 / annual[last.year]
                annual = {year: value * scale for year, value in annual.items()}
            for period in span:
                value = _value(ind, annual[period.year], period.month)
                if value is None:
                    continue
                yoy = None
                if ind.price_basis == Indicator.PriceBasis.COMPARABLE:
                    yoy = (growth.get(period.year - 1, growth[period.year]) * 100).quantize(
                        Decimal("0.1")
                    )
                add(org_id, ind, period, value, yoy)
                for unit in (county_of[park.pk], city_of[park.pk], province.pk if province else 0):
                    if unit:
                        totals[(unit, ind.pk, period)] += value
    by_pk = {i.pk: i for i in indicators}
    drift = {(unit, ind): Decimal(rng.randint(-40, 80)) / 1000 for unit, ind, _ in totals}
    for (unit, ind_pk, period), parks_sum in totals.items():
        ind = by_pk[ind_pk]
        _, share = LEVELS[ind.code]
        years_in = period.year - span[0].year
        published = (parks_sum / share * (1 + drift[(unit, ind_pk)]) ** years_in).quantize(
            Decimal(1) if ind.kind == Indicator.Kind.STOCK and ind.decimals == 0 else CENT
        )
        yoy = None
        if ind.price_basis == Indicator.PriceBasis.COMPARABLE:
            yoy = Decimal(rng.randint(40, 90)) / 10
        add(unit, ind, period, max(published, parks_sum), yoy)
    IndicatorValue.objects.bulk_create(rows, batch_size=2000)
    ctx.counts["indicator_values"] = len(rows)


def _value(ind: Indicator, annual: Decimal, month: int) -> Decimal | None:
    """The published figure for a month: 1–N月 cumulative (none for January) or a stock."""
    if ind.kind == Indicator.Kind.FLOW:
        if month == 1 and not ind.january_published:
            return None
        return (annual * sum(SEASON[:month], Decimal(0))).quantize(CENT)
    if ind.decimals == 0:
        return annual.quantize(Decimal(1))
    return annual.quantize(CENT)
