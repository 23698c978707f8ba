"""One banding rule for every light: boundaries are inclusive as documented."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dudao.core.lights import Light, band, worst


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
