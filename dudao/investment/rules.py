"""The rules of 招商引资 as pure functions: stage order, §5.2 counting, §5.5/§5.6 screening with
unit conversion, stalled-deal lights. No database access here; services and figures call these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from dudao.core import numbers
from dudao.core.lights import Light, band
from dudao.investment.models import PIPELINE, Deal, EntryStandard, Metric, Stage, StallRule

if TYPE_CHECKING:
    from collections.abc import Iterable

ZERO = Decimal("0")
MU_PER_HECTARE = Decimal("15")  # 1 公顷 = 15 亩 (§5.6)
U = EntryStandard.Unit
OP = EntryStandard.Operator

# Which unit each metric is measured in on the deal side.
METRIC_UNIT: dict[str, str] = {
    Metric.INVESTMENT_INTENSITY: U.WAN_PER_MU,
    Metric.TAX_PER_MU: U.WAN_PER_MU,
    Metric.OUTPUT_INTENSITY: U.WAN_PER_MU,
    Metric.PLOT_RATIO: U.RATIO,
    Metric.BUILDING_COVERAGE: U.PERCENT,
    Metric.ENERGY: U.TCE_PER_WAN,
    Metric.RD: U.PERCENT,
}


def stage_index(stage: str) -> int:
    """Position in the pipeline (线索 0 … 达产 8); 终止 is -1."""
    return PIPELINE.index(stage) if stage in PIPELINE else -1


def next_stage(stage: str) -> str | None:
    i = stage_index(stage)
    return PIPELINE[i + 1] if 0 <= i < len(PIPELINE) - 1 else None


def reached(deal: Deal, stage: str) -> bool:
    """True when the (not terminated) deal is at `stage` or beyond."""
    return not deal.is_terminated and stage_index(deal.stage) >= stage_index(stage)


# --- §5.2 counting -----------------------------------------------------------------------------


def signing_count(kind: str) -> int:
    """A deal counts once, at its first signing; 增资 is not a new project (三明 甄别 rules)."""
    return 0 if kind == Deal.SigningKind.CAPITAL_INCREASE else 1


def signing_amount(kind: str, contract_investment: Decimal) -> Decimal:
    """升格 counts the upgrade but not the investment; 增资 only the increase (the contract
    amount of an 增资 deal is the increase); 新签 and 更换业主 the whole contract."""
    return ZERO if kind == Deal.SigningKind.UPGRADE else contract_investment


# --- units and screening -----------------------------------------------------------------------


def per_mu(threshold: Decimal, unit: str) -> Decimal:
    """A threshold in 万元/公顷 as 万元/亩 (÷ 15); other units unchanged."""
    if unit == U.WAN_PER_HECTARE:
        return numbers.div(threshold, MU_PER_HECTARE)
    return threshold


def hectares_to_mu(hectares: Decimal) -> Decimal:
    return numbers.mul(hectares, MU_PER_HECTARE)


def mu_to_hectares(mu: Decimal) -> Decimal:
    return numbers.div(mu, MU_PER_HECTARE)


def metric_value(deal: Deal, metric: str) -> Decimal | None:
    """The deal's value of a metric in the metric's deal-side unit, None when not computable."""
    land = deal.land_mu
    if metric in (Metric.INVESTMENT_INTENSITY, Metric.TAX_PER_MU, Metric.OUTPUT_INTENSITY):
        if not land:
            return None
        base: Decimal | None = {
            Metric.INVESTMENT_INTENSITY: deal.fixed_asset_investment,
            Metric.TAX_PER_MU: deal.expected_tax,
            Metric.OUTPUT_INTENSITY: deal.expected_output,
        }[Metric(metric)]
        return None if base is None else numbers.div(Decimal(base), Decimal(land))
    value: Decimal | None = {
        Metric.PLOT_RATIO: deal.plot_ratio,
        Metric.BUILDING_COVERAGE: deal.building_coverage,
        Metric.ENERGY: deal.energy_intensity,
        Metric.RD: deal.rd_intensity,
    }[Metric(metric)]
    return None if value is None else Decimal(value)


def compare(value: Decimal, operator: str, threshold: Decimal) -> bool:
    if operator == OP.GTE:
        return value >= threshold
    if operator == OP.GT:
        return value > threshold
    if operator == OP.LTE:
        return value <= threshold
    if operator == OP.LT:
        return value < threshold
    raise ValueError(operator)


def applies(standard: EntryStandard, deal: Deal, on: dt.date, county_path: str) -> bool:
    """The standard is in force on `on`, for the deal's zone level, industry and jurisdiction."""
    if not standard.is_active or standard.valid_from > on:
        return False
    if standard.valid_to is not None and standard.valid_to < on:
        return False
    if standard.zone_level and standard.zone_level != deal.zone_level:
        return False
    if standard.industry_prefix and not deal.industry_code.startswith(standard.industry_prefix):
        return False
    jurisdiction = standard.jurisdiction
    return jurisdiction is None or county_path.startswith(jurisdiction.path)


def _unit_label(unit: str) -> str:
    return "" if unit == U.RATIO else str(U(unit).label)


@dataclass(frozen=True)
class CheckResult:
    standard: EntryStandard | None
    label: str
    value: Decimal | None
    passed: bool
    message: str


# The relation shown when a standard fails (§9.10: "不符合亩均税收门槛（20.0 < 30.0 万元/亩）").
NEGATION: dict[str, str] = {OP.GTE: "<", OP.GT: "≤", OP.LTE: ">", OP.LT: "≥"}


def check_standard(deal: Deal, standard: EntryStandard) -> CheckResult:
    """One standard against the deal, with the value and the rule in the message (§9.10)."""
    label = str(Metric(standard.metric).label)
    unit = _unit_label(METRIC_UNIT[standard.metric])
    unit = f" {unit}" if unit else ""
    threshold = numbers.format_decimal(per_mu(Decimal(standard.threshold), standard.unit), 1)
    op = str(standard.get_operator_display())
    value = metric_value(deal, standard.metric)
    if value is None:
        return CheckResult(
            standard,
            label,
            None,
            False,
            f"缺少{label}的计算数据，无法核查（门槛 {op} {threshold}{unit}）",
        )
    shown = numbers.format_decimal(value, 1)
    if compare(
        value, standard.operator, Decimal(per_mu(Decimal(standard.threshold), standard.unit))
    ):
        return CheckResult(
            standard, label, value, True, f"符合{label}门槛（{shown} {op} {threshold}{unit}）"
        )
    relation = NEGATION[standard.operator]
    return CheckResult(
        standard, label, value, False, f"不符合{label}门槛（{shown} {relation} {threshold}{unit}）"
    )


RED_FLAGS: tuple[tuple[str, str], ...] = (
    ("pollution_class", Deal.Pollution.HIGH),
    ("tech_level", Deal.Tech.LOW),
)


def red_flags(deal: Deal, energy_limit: Decimal | None) -> list[CheckResult]:
    """高污染 / 低技术 always flag; 高耗能 when the deal's energy intensity exceeds the limit
    of an applicable 能耗 standard (checked there)."""
    out = []
    if deal.pollution_class == Deal.Pollution.HIGH:
        out.append(CheckResult(None, "生态环保", None, False, "红线：高污染项目"))
    if deal.tech_level == Deal.Tech.LOW:
        out.append(CheckResult(None, "科技含量", None, False, "红线：科技含量低"))
    if (
        energy_limit is not None
        and deal.energy_intensity is not None
        and Decimal(deal.energy_intensity) > energy_limit
    ):
        out.append(CheckResult(None, "能耗", deal.energy_intensity, False, "红线：高耗能项目"))
    return out


def screen(
    deal: Deal, standards: Iterable[EntryStandard], on: dt.date, county_path: str
) -> list[CheckResult]:
    """Every applicable standard and every red flag."""
    results = []
    energy_limit: Decimal | None = None
    for standard in standards:
        if not applies(standard, deal, on, county_path):
            continue
        results.append(check_standard(deal, standard))
        if standard.metric == Metric.ENERGY and standard.operator in (OP.LTE, OP.LT):
            limit = Decimal(standard.threshold)
            energy_limit = limit if energy_limit is None else min(energy_limit, limit)
    results.extend(red_flags(deal, energy_limit))
    return results


# --- ratios ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    """A metric with its numerator, denominator and definition variant (§5.3)."""

    label: str
    variant: str
    numerator: Decimal
    denominator: Decimal

    @property
    def value(self) -> Decimal | None:
        if self.denominator == 0:
            return None
        return numbers.div(self.numerator, self.denominator)

    @property
    def display(self) -> str:
        """ "—" for a zero denominator, never a crash or a fake 0%."""
        value = self.value
        return "—" if value is None else numbers.format_percent(value, 1)


# --- stalled lights ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Stall:
    light: Light
    kind: str
    days: int

    @property
    def text(self) -> str:
        if self.light == Light.GREY:
            return ""
        label = StallRule.Kind(self.kind).label
        return f"{label} {self.days} 天"


def stall_of(deal: Deal, rules: dict[str, StallRule], today: dt.date) -> Stall:
    """Signed and not registered / registered and not started (days since) / started and not in
    production (days past the planned date), banded by `core.lights.band`; grey otherwise."""
    kinds = StallRule.Kind
    kind, since = "", None
    if deal.stage == Stage.SIGNED and deal.signed_on:
        kind, since = kinds.SIGNED_NOT_REGISTERED, deal.signed_on
    elif deal.stage in (Stage.REGISTERED, Stage.APPROVED) and deal.registered_on:
        kind, since = kinds.REGISTERED_NOT_STARTED, deal.registered_on
    elif deal.stage in (Stage.STARTED, Stage.COMPLETED) and deal.planned_production_on:
        kind, since = kinds.STARTED_NOT_PRODUCING, deal.planned_production_on
    rule = rules.get(kind)
    if rule is None or since is None:
        return Stall(Light.GREY, kind, 0)
    days = (today - since).days
    light = band(days, yellow_from=rule.yellow_days, red_from=rule.red_days)
    return Stall(light, kind, max(days, 0))
