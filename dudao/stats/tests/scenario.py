"""The speech's scenario as data (docs §9.1–9.2): 18 parks and the city's published totals.

Parks' figures are split over 18 parks (the remainder on the last, so the total is exact);
the city's totals are entered as published values, not as sums. Amounts in 万元.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dudao.orgs.models import Organisation
from dudao.parks import services as park_services
from dudao.parks.models import Park
from dudao.stats import services
from dudao.stats.models import Indicator, IndicatorValue
from dudao.testing import World, make_organisation

D = Decimal
PARK_COUNT = 18
# indicator → (month, parks 2019, 2020, 2021, city 2020, 2021) in 亿元
SPEECH: dict[str, tuple[int, str, str, str, str, str]] = {
    "fai": (6, "658.2", "799.1", "904.6", "1665.0", "1924.7"),
    "industrial_revenue": (5, "1500.0", "1656.7", "1762.7", "2600.0", "2749.9"),
    "profit": (5, "90.66", "100.0", "126.5", "200.0", "230.2"),
}
SUMMARY_CODES = tuple(SPEECH)


def yi(text: str) -> Decimal:
    return D(text) * 10000


def split(total: Decimal, n: int) -> list[Decimal]:
    """Split an amount into n parts of whole 万元 cents that add up exactly."""
    share = (total / n).quantize(D("0.01"), rounding="ROUND_DOWN")
    return [share] * (n - 1) + [total - share * (n - 1)]


def speech_parks(world: World) -> list[Park]:
    """World's two park committees plus sixteen more, each with its Park."""
    committees = [world.park_a, world.park_b]
    for i in range(PARK_COUNT - 2):
        county = world.county_a if i % 2 else world.county_b
        committees.append(
            make_organisation(
                world.sysadmin,
                parent=county,
                name=f"演示第{i + 3}园区管理委员会",
                code=f"SP-{i + 3:02d}",
                kind=Organisation.Kind.PARK_COMMITTEE,
            )
        )
    parks = []
    for n, org in enumerate(committees, start=1):
        park = Park.objects.filter(organisation=org).first()
        if park is None:
            park = park_services.create_park(
                actor=world.city_supervisor,
                code=f"PK-{n:02d}",
                name=org.name.removesuffix("管理委员会"),
                organisation=org,
                county=org.parent,
                sort_order=n,
            )
        parks.append(park)
    return parks


def enter(
    world: World, org: Organisation | None, code: str, period: dt.date, value: Decimal
) -> None:
    """Enter, submit and approve one value as the city supervisor."""
    if org is None:
        raise ValueError("the scenario's parks all have a 管委会")
    actor = world.city_supervisor
    indicator = Indicator.objects.get(code=code)
    row = services.save_value(
        actor=actor,
        organisation=org,
        indicator=indicator,
        period=period,
        data=services.ValueInput(value=value, source=IndicatorValue.Source.STATISTICS),
    )
    row = services.submit_value(actor=actor, row=row)
    services.approve_value(actor=actor, row=row)


def build_speech_city(world: World, *, codes: tuple[str, ...] = SUMMARY_CODES) -> list[Park]:
    """The whole scenario: 18 parks with three years, the city with two, all approved."""
    from dudao.stats.models import Indicator as Ind

    Ind.objects.exclude(code__in=codes).update(in_summary=False)
    Ind.objects.filter(code__in=codes).update(in_summary=True)
    parks = speech_parks(world)
    for code in codes:
        month, p2019, p2020, p2021, c2020, c2021 = SPEECH[code]
        for year, total in ((2019, p2019), (2020, p2020), (2021, p2021)):
            for park, part in zip(parks, split(yi(total), PARK_COUNT), strict=True):
                enter(world, park.organisation, code, dt.date(year, month, 1), part)
        for year, total in ((2020, c2020), (2021, c2021)):
            enter(world, world.city, code, dt.date(year, month, 1), yi(total))
    return parks
