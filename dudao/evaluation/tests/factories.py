"""Typed factories for the evaluation tests: parks of several cities and a small regime."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import TYPE_CHECKING

from dudao.evaluation import services
from dudao.evaluation.models import Method, Regime
from dudao.parks.models import Park
from dudao.regions.models import Region

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.orgs.models import Organisation

_serial = itertools.count(1)


def make_park(
    *,
    name: str | None = None,
    city: str | None = "410100",
    organisation: Organisation | None = None,
) -> Park:
    """A park of the prefecture `city` (GB/T 2260 code) or, with `organisation`, of our city."""
    n = next(_serial)
    return Park.objects.create(
        code=f"TP{n:04d}",
        name=name or f"测试园区{n}",
        organisation=organisation,
        city_region=Region.objects.get(code=city) if city else None,
    )


def next_code() -> str:
    """A fresh regime code."""
    return f"T{next(_serial):04d}"


def make_parks(count: int, city: str = "410100") -> list[Park]:
    return [make_park(city=city) for _ in range(count)]


def make_regime(actor: User, *, code: str = "T2017", first_year: int = 2019) -> Regime:
    """A regime with a ratio indicator (税收, weight 60), a capped completion (投资, 40, cap
    1.2), a deduction per event (−0.5, cap 2) and a gate that removes a park from ranking."""
    regime = services.create_regime(
        actor=actor, code=code, name=f"测试考评办法{code}", first_year=first_year
    )
    dim = services.save_dimension(actor=actor, regime=regime, name="经济总量")
    services.save_indicator(
        actor=actor,
        regime=regime,
        code="tax",
        name="税收收入",
        method=Method.RATIO,
        weight=Decimal(60),
        params={"benchmark": "10"},
        dimension=dim,
    )
    services.save_indicator(
        actor=actor,
        regime=regime,
        code="fai",
        name="固定资产投资完成率",
        method=Method.COMPLETION,
        weight=Decimal(40),
        params={"target": "100", "cap": "1.2"},
        dimension=dim,
    )
    services.save_indicator(
        actor=actor,
        regime=regime,
        code="env",
        name="环保督察问题",
        method=Method.EVENTS,
        weight=Decimal(0),
        params={"unit_points": "-0.5", "cap": "2"},
    )
    services.save_gate(
        actor=actor, regime=regime, code="veto", name="重大安全事故", effect="no_ranking"
    )
    return regime
