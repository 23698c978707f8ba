"""The light rule engine: data-driven rules (`LightRule` rows) applied to measured values.

Pure functions, no queries: callers load the active rules once and pass a subject's metrics
(a dict metric → value, None when unknown). Other modules (projects) can reuse `evaluate` with
their own metric names and rule rows. Every value becomes a colour through
`dudao.core.lights.band`, the platform's one banding rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from dudao.core.lights import Light, band

NEVER = Decimal("1e9")  # a threshold that is never reached (rule has no such colour)

# Precedence of a task's combined light: overdue beats unknown beats warning.
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
