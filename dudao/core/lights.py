"""Traffic lights (亮灯): one vocabulary and one banding rule for every module.

A light is computed from a measured value and a threshold pair held as *data* by the module
(projects: lag in 个百分点; tasks: workdays left, progress behind elapsed time; problems: days
overdue). `band()` is the only place where a value becomes a colour, so "10 个百分点" means the
same boundary everywhere: yellow from `yellow_from` (inclusive), red from `red_from` (inclusive
unless `red_inclusive=False`, for rules written as "> 30").

The rule engine below (`evaluate`) applies data-driven rules (rows of a module's own rule
table: a metric, yellow/red/grey thresholds) to a subject's measured values. Tasks
(`dudao.supervision`) and the problem ledger (`dudao.problems`) both use it, each with its own
metric names and rule rows; pure functions, no queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

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


# --- the rule engine ----------------------------------------------------------------------------

NEVER = Decimal("1e9")  # a threshold that is never reached (rule has no such colour)

# Precedence of a subject's combined light: overdue beats unknown beats warning.
PRECEDENCE = (Light.RED, Light.GREY, Light.YELLOW, Light.GREEN)


class RuleLike(Protocol):
    code: str
    label: str
    metric: str
    yellow_from: Decimal | None
    red_from: Decimal | None
    grey_from: Decimal | None
    lower_is_worse: bool


@dataclass(frozen=True)
class Finding:
    """One rule's verdict: which rule, the value it measured, the colour it gave."""

    rule: str
    label: str
    metric: str
    value: Decimal | None
    light: Light

    def as_json(self) -> dict[str, str | None]:
        return {
            "rule": self.rule,
            "label": self.label,
            "metric": self.metric,
            "value": None if self.value is None else str(self.value),
            "light": self.light.value,
        }


@dataclass(frozen=True)
class Evaluation:
    light: Light
    findings: tuple[Finding, ...]

    def reasons(self) -> list[dict[str, str | None]]:
        """The findings that made the light (none when green)."""
        return [f.as_json() for f in self.findings if f.light == self.light != Light.GREEN]


def apply_rule(rule: RuleLike, value: Decimal | int | None) -> Light:
    """Return the colour `rule` gives to `value` (None → green: the rule cannot judge)."""
    if value is None:
        return Light.GREEN
    v = Decimal(value)
    if rule.grey_from is not None and v >= rule.grey_from:
        return Light.GREY
    if rule.yellow_from is None and rule.red_from is None:
        return Light.GREEN
    if rule.lower_is_worse:
        return band(
            -v,
            yellow_from=-rule.yellow_from if rule.yellow_from is not None else NEVER,
            red_from=-rule.red_from if rule.red_from is not None else NEVER,
        )
    return band(
        v,
        yellow_from=rule.yellow_from if rule.yellow_from is not None else NEVER,
        red_from=rule.red_from if rule.red_from is not None else NEVER,
    )


def combine(lights: Iterable[Light]) -> Light:
    """Red if any, else grey, else yellow, else green."""
    seen = set(lights)
    for light in PRECEDENCE:
        if light in seen:
            return light
    return Light.GREEN


def evaluate(rules: Iterable[RuleLike], metrics: Mapping[str, Decimal | int | None]) -> Evaluation:
    """Apply every rule to its metric and combine the colours."""
    findings = tuple(
        Finding(
            rule.code,
            rule.label,
            rule.metric,
            None if metrics.get(rule.metric) is None else Decimal(metrics[rule.metric] or 0),
            apply_rule(rule, metrics.get(rule.metric)),
        )
        for rule in rules
    )
    return Evaluation(combine(f.light for f in findings), findings)
