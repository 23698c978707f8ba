"""One banding rule for every light: boundaries are inclusive as documented."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dudao.core.lights import Light, band, band_q, worst


@pytest.mark.parametrize(
    ("value", "light"),
    [
        (None, Light.GREY),
        (Decimal("-5"), Light.GREEN),
        (Decimal("9.9"), Light.GREEN),
        (Decimal("10"), Light.YELLOW),
        (Decimal("30"), Light.YELLOW),  # "red > 30": 30 itself is still yellow
        (Decimal("30.1"), Light.RED),
    ],
)
def test_it_bands_a_lag_with_red_above_the_boundary(value: Decimal | None, light: Light) -> None:
    assert band(value, yellow_from=10, red_from=30, red_inclusive=False) == light


@pytest.mark.parametrize(("value", "light"), [(0, Light.GREEN), (1, Light.YELLOW), (3, Light.RED)])
def test_it_bands_a_delay_with_red_from_the_boundary(value: int, light: Light) -> None:
    assert band(value, yellow_from=1, red_from=3) == light


def test_it_picks_the_worst_light() -> None:
    assert worst([Light.GREEN, Light.GREY, Light.YELLOW]) == Light.YELLOW
    assert worst([Light.GREY]) == Light.GREY
    assert worst([]) == Light.GREY
    assert (Light.RED.css, Light.RED.label) == ("light-red", "红灯")


@pytest.mark.django_db
@pytest.mark.parametrize("red_inclusive", [True, False])
@pytest.mark.parametrize(
    "value",
    [
        Decimal("-5"),
        Decimal("0"),
        Decimal("9.99"),
        Decimal("10"),
        Decimal("10.01"),
        Decimal("29.99"),
        Decimal("30"),
        Decimal("30.01"),
        Decimal("100"),
    ],
)
def test_the_sql_bands_agree_with_band(value: Decimal, red_inclusive: bool) -> None:
    """`band_q` is generated from the same bands: the database puts every boundary value in
    the colour `band()` gives it. (A NULL column compares false to all three: grey is what the
    caller counts as left over.)"""
    from django.db.models import DecimalField, Value

    bounds = {"yellow_from": Decimal("10"), "red_from": Decimal("30")}
    expected = band(value, **bounds, red_inclusive=red_inclusive)
    against = {"lag": Value(value, output_field=DecimalField(max_digits=8, decimal_places=2))}
    matched = [
        light
        for light, q in band_q("lag", **bounds, red_inclusive=red_inclusive).items()
        if q.check(against)
    ]
    assert matched == [expected]
