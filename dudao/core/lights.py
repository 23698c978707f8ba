"""Traffic lights (亮灯): one vocabulary and one banding rule for every module.

A light is computed from a measured value and a threshold pair held as *data* by the module
(projects: lag in 个百分点; tasks: workdays left, progress behind elapsed time; problems: days
overdue). `band()` is the only place where a value becomes a colour, so "10 个百分点" means the
same boundary everywhere: yellow from `yellow_from` (inclusive), red from `red_from` (inclusive
unless `red_inclusive=False`, for rules written as "> 30").
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q


class Light(models.TextChoices):
    GREEN = "green", "绿灯"
    YELLOW = "yellow", "黄灯"
    RED = "red", "红灯"
    GREY = "grey", "灰灯"

    @property
    def css(self) -> str:
        return f"light-{self.value}"

    @property
    def severity(self) -> int:
        """For sorting and 'worst of': grey < green < yellow < red."""
        return {"grey": 0, "green": 1, "yellow": 2, "red": 3}[self.value]


def severity_order(field: str = "light") -> models.Case:
    """An ORM expression of `Light.severity` for sorting a list by its light column."""
    return models.Case(
        *(
            models.When(**{field: light.value}, then=models.Value(light.severity))
            for light in Light
        ),
        default=models.Value(-1),
        output_field=models.IntegerField(),
    )


def band(
    value: Decimal | int | None,
    *,
    yellow_from: Decimal | int,
    red_from: Decimal | int,
    red_inclusive: bool = True,
) -> Light:
    """Green below `yellow_from`, yellow from it, red from `red_from` (or above it). None → grey."""
    if value is None:
        return Light.GREY
    if value > red_from or (red_inclusive and value == red_from):
        return Light.RED
    if value >= yellow_from:
        return Light.YELLOW
    return Light.GREEN


def band_q(
    field: str,
    *,
    yellow_from: Decimal | int,
    red_from: Decimal | int,
    red_inclusive: bool = True,
) -> dict[Light, Q]:
    """The same bands as `band()`, as SQL conditions on a stored value (`field`), so a count by
    colour in the database agrees with the colour shown for each row. A NULL value matches none
    of them (grey is whatever is left)."""
    red = Q(**{f"{field}__gte" if red_inclusive else f"{field}__gt": red_from})
    yellow = Q(**{f"{field}__gte": yellow_from}) & ~red
    green = Q(**{f"{field}__lt": yellow_from}) & ~red
    return {Light.RED: red, Light.YELLOW: yellow, Light.GREEN: green}


def worst(lights: list[Light]) -> Light:
    """The most severe light of several (grey only when all are grey or there are none)."""
    return max(lights, key=lambda light: light.severity, default=Light.GREY)
