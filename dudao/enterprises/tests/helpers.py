"""Builders shared by the enterprises tests (USCCs with correct check characters, a park)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from stdnum.cn import uscc as stdnum_uscc

from dudao.enterprises import services
from dudao.enterprises.models import Enterprise
from dudao.parks import services as park_services
from dudao.parks.models import Park
from dudao.testing import World


def uscc(serial: int, prefix: str = "91410100") -> str:
    """A valid 18-character USCC with the given 8-character prefix and a 9-digit serial."""
    body = f"{prefix}{serial:09d}"
    return body + stdnum_uscc.calc_check_digit(body)


def park(world: World, code: str = "P-A") -> Park:
    existing = Park.objects.filter(code=code).first()
    if existing is not None:
        return existing
    return park_services.create_park(
        actor=world.city_supervisor,
        code=code,
        name="甲县产业集聚区" if code == "P-A" else f"{code}园区",
        organisation=world.park_a if code == "P-A" else world.park_b,
        county=world.county_a if code == "P-A" else world.county_b,
    )


def enterprise(world: World, serial: int, *, code: str = "P-A", **fields: Any) -> Enterprise:
    data: dict[str, Any] = {
        "uscc": uscc(serial),
        "name": f"示范市测试企业{serial}",
        "park": park(world, code),
        "industry_code": "3562",
        "above_scale": True,
        "land_own_mu": Decimal(50),
    }
    data.update(fields)
    return services.create_enterprise(actor=world.city_supervisor, **data)
