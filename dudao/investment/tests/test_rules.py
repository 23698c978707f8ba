"""Pure rules: entry-standard operators, units, validity, scope; §9.10; §5.2 counting; ratios
with hand-computed fractions and a zero denominator; stalled lights."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dudao.core.lights import Light
from dudao.investment import rules
from dudao.investment.models import Deal, EntryStandard, Metric, Stage, StallRule
from dudao.orgs.models import Organisation

D = Decimal
TODAY = dt.date(2026, 6, 30)


def deal(**fields: object) -> Deal:
    base: dict[str, object] = {
        "contract_investment": D("50000"),
        "fixed_asset_investment": D("45000"),
        "land_mu": D("100"),
        "expected_tax": D("2000"),
        "plot_ratio": D("1.2"),
        "building_coverage": D("45"),
        "industry_code": "3411",
        "zone_level": Deal.ZoneLevel.OTHER,
    }
    base.update(fields)
    return Deal(**base)


def standard(
    metric: str, op: str, threshold: str, unit: str = "wan_mu", **fields: object
) -> EntryStandard:
    base: dict[str, object] = {
        "metric": metric,
        "operator": op,
        "threshold": D(threshold),
        "unit": unit,
        "valid_from": dt.date(2020, 1, 1),
        "source": "测试",
        "is_active": True,
        "industry_prefix": "",
        "zone_level": "",
        "jurisdiction": None,
    }
    base.update(fields)
    return EntryStandard(**base)


@pytest.mark.parametrize(
    ("op", "threshold", "passed"),
    [
        ("gte", "450", True),
        ("gte", "450.01", False),
        ("gt", "449.99", True),
        ("gt", "450", False),
        ("lte", "450", True),
        ("lte", "449.99", False),
        ("lt", "450.01", True),
        ("lt", "450", False),
    ],
)
def test_every_operator_at_its_boundary(op: str, threshold: str, passed: bool) -> None:
    # 投资强度 = 45,000 万元 ÷ 100 亩 = 450 万元/亩
    result = rules.check_standard(deal(), standard(Metric.INVESTMENT_INTENSITY, op, threshold))
    assert result.passed is passed
    assert result.value == D("450")
    assert result.message.startswith("符合投资强度门槛" if passed else "不符合投资强度门槛（450.0 ")


def test_the_worked_example_of_9_10() -> None:
    d = deal()
    county_rule = [
        standard(Metric.INVESTMENT_INTENSITY, "gte", "300"),
        standard(Metric.TAX_PER_MU, "gte", "30"),
        standard(Metric.PLOT_RATIO, "gte", "1.0", unit="ratio"),
        standard(Metric.BUILDING_COVERAGE, "gte", "40", unit="percent"),
    ]
    results = rules.screen(d, county_rule, TODAY, "1.2.")
    assert [r.passed for r in results] == [True, False, True, True]
    assert results[1].message == "不符合亩均税收门槛（20.0 < 30.0 万元/亩）"
    # 聊城高新区: ≥ 300 万元/公顷 = 20 万元/亩 → passes
    liaocheng = rules.check_standard(d, standard(Metric.TAX_PER_MU, "gte", "300", unit="wan_ha"))
    assert liaocheng.passed


def test_hectares_and_mu_convert_both_ways() -> None:
    assert rules.per_mu(D("300"), "wan_ha") == D("20")
    assert rules.per_mu(D("300"), "wan_mu") == D("300")
    assert rules.hectares_to_mu(D("2")) == D("30")
    assert rules.mu_to_hectares(D("30")) == D("2")
    # 150 万元/公顷 (聊城 "不予批准") = 10 万元/亩
    assert rules.per_mu(D("150"), "wan_ha") == D("10")


def test_validity_dates_zone_level_industry_and_jurisdiction() -> None:
    d = deal()
    assert rules.applies(standard(Metric.RD, "gte", "1"), d, TODAY, "1.2.")
    assert not rules.applies(
        standard(Metric.RD, "gte", "1", valid_from=dt.date(2026, 7, 1)), d, TODAY, "1.2."
    )
    assert rules.applies(standard(Metric.RD, "gte", "1", valid_to=TODAY), d, TODAY, "1.2.")
    assert not rules.applies(
        standard(Metric.RD, "gte", "1", valid_to=dt.date(2026, 6, 29)), d, TODAY, "1.2."
    )
    assert not rules.applies(standard(Metric.RD, "gte", "1", is_active=False), d, TODAY, "1.2.")
    assert not rules.applies(
        standard(Metric.RD, "gte", "1", zone_level="national"), d, TODAY, "1.2."
    )
    assert rules.applies(
        standard(Metric.RD, "gte", "1", zone_level="national"),
        deal(zone_level="national"),
        TODAY,
        "1.2.",
    )
    assert rules.applies(standard(Metric.RD, "gte", "1", industry_prefix="34"), d, TODAY, "1.2.")
    assert not rules.applies(
        standard(Metric.RD, "gte", "1", industry_prefix="13"), d, TODAY, "1.2."
    )
    county_b = Organisation(path="1.3.")
    assert not rules.applies(
        standard(Metric.RD, "gte", "1", jurisdiction=county_b), d, TODAY, "1.2."
    )
    assert rules.applies(
        standard(Metric.RD, "gte", "1", jurisdiction=Organisation(path="1.")), d, TODAY, "1.2."
    )


def test_a_missing_value_fails_with_a_clear_message() -> None:
    result = rules.check_standard(deal(land_mu=None), standard(Metric.TAX_PER_MU, "gte", "30"))
    assert not result.passed
    assert result.value is None
    assert "缺少亩均税收" in result.message


def test_red_flags_for_pollution_low_tech_and_energy() -> None:
    flags = rules.screen(
        deal(pollution_class="high", tech_level="low", energy_intensity=D("0.8")),
        [standard(Metric.ENERGY, "lte", "0.5", unit="tce_wan")],
        TODAY,
        "1.",
    )
    messages = [f.message for f in flags if f.standard is None]
    assert messages == ["红线：高污染项目", "红线：科技含量低", "红线：高耗能项目"]
    assert rules.red_flags(deal(pollution_class="low", tech_level="high"), None) == []


@pytest.mark.parametrize(
    ("kind", "count", "amount"),
    [
        ("new", 1, D("50000")),
        ("upgrade", 1, D("0")),  # the upgrade counts, not its investment
        ("capital_increase", 0, D("50000")),  # only the 增资额 (the contract amount of such a deal)
        ("owner_change", 1, D("50000")),  # counts as the new event's result
    ],
)
def test_counting_rules_of_5_2(kind: str, count: int, amount: Decimal) -> None:
    assert rules.signing_count(kind) == count
    assert rules.signing_amount(kind, D("50000")) == amount


def test_ratios_against_hand_computed_fractions() -> None:
    # 渭南: (18 + 180) ÷ 292 = 67.8%; 履约率 291 ÷ 292 = 99.66% → 99.7%
    assert rules.Ratio("开工率", "", D(198), D(292)).display == "67.8%"
    assert rules.Ratio("履约率", "", D(291), D(292)).display == "99.7%"
    # 安庆: 投产 118 ÷ 218 = 54.13%; 开工 199 ÷ 218 = 91.28%
    assert rules.Ratio("投产率", "", D(118), D(218)).display == "54.1%"
    assert rules.Ratio("开工率", "", D(199), D(218)).display == "91.3%"
    # half-up at the boundary: 1 ÷ 8 = 12.5%, 1 ÷ 16 = 6.25% → 6.3%
    assert rules.Ratio("x", "", D(1), D(16)).display == "6.3%"


def test_a_zero_denominator_is_a_dash_never_a_crash() -> None:
    ratio = rules.Ratio("资金到位率", "", D(0), D(0))
    assert ratio.value is None
    assert ratio.display == "—"


def _rules() -> dict[str, StallRule]:
    return {
        "signed_not_registered": StallRule(
            kind="signed_not_registered", yellow_days=90, red_days=180
        ),
        "registered_not_started": StallRule(
            kind="registered_not_started", yellow_days=182, red_days=365
        ),
        "started_not_producing": StallRule(
            kind="started_not_producing", yellow_days=1, red_days=90
        ),
    }


@pytest.mark.parametrize(
    ("days", "light"),
    [(89, Light.GREEN), (90, Light.YELLOW), (179, Light.YELLOW), (180, Light.RED)],
)
def test_signed_and_not_registered_lights(days: int, light: Light) -> None:
    d = deal(stage=Stage.SIGNED, signed_on=TODAY - dt.timedelta(days=days))
    stall = rules.stall_of(d, _rules(), TODAY)
    assert stall.light == light
    assert stall.days == days


def test_registered_not_started_and_started_past_the_planned_date() -> None:
    d = deal(stage=Stage.REGISTERED, registered_on=TODAY - dt.timedelta(days=200))
    assert rules.stall_of(d, _rules(), TODAY).light == Light.YELLOW
    d = deal(stage=Stage.STARTED, planned_production_on=TODAY + dt.timedelta(days=10))
    assert rules.stall_of(d, _rules(), TODAY).light == Light.GREEN
    d = deal(stage=Stage.STARTED, planned_production_on=TODAY - dt.timedelta(days=90))
    assert rules.stall_of(d, _rules(), TODAY).light == Light.RED
    d = deal(stage=Stage.PRODUCING)
    assert rules.stall_of(d, _rules(), TODAY).light == Light.GREY
