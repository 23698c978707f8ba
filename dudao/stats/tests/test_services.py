"""Value entry and review: rules, transitions, scope, stale edits, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError, InvalidTransition, NotAllowed, StaleObject
from dudao.core.periods import parse_month
from dudao.stats import services
from dudao.stats.models import Indicator, IndicatorValue, StatsSettings
from dudao.testing import World

pytestmark = pytest.mark.django_db
D = Decimal
S = IndicatorValue.Status


def fai() -> Indicator:
    return Indicator.objects.get(code="fai")


def save(world: World, period: dt.date, value: str, note: str = "", **kw: object) -> IndicatorValue:
    return services.save_value(
        actor=kw.pop("actor", world.park_reporter),  # type: ignore[arg-type]
        organisation=kw.pop("org", world.park_a),  # type: ignore[arg-type]
        indicator=kw.pop("indicator", fai()),  # type: ignore[arg-type]
        period=period,
        data=services.ValueInput(value=D(value), note=note),
        **kw,  # type: ignore[arg-type]
    )


def test_a_reporter_enters_submits_and_a_reviewer_approves_with_one_event_each(
    world: World,
) -> None:
    start = AuditEvent.objects.count()
    row = save(world, dt.date(2025, 3, 1), "1200.5")
    assert row.status == S.DRAFT
    row = services.submit_value(actor=world.park_reporter, row=row)
    row = services.approve_value(actor=world.county_a_reviewer, row=row)
    assert row.status == S.APPROVED
    assert row.reviewed_by == world.county_a_reviewer
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)[start:])
    assert actions == ["stats.value.create", "stats.value.submit", "stats.value.approve"]


def test_an_approved_value_cannot_be_edited_until_returned(world: World) -> None:
    row = save(world, dt.date(2025, 3, 1), "100")
    row = services.submit_value(actor=world.park_reporter, row=row)
    row = services.approve_value(actor=world.county_a_reviewer, row=row)
    with pytest.raises(InvalidTransition, match="已审核"):
        save(world, dt.date(2025, 3, 1), "101")
    with pytest.raises(DomainError, match="退回原因"):
        services.return_value(actor=world.county_a_reviewer, row=row, reason=" ")
    row = services.return_value(actor=world.county_a_reviewer, row=row, reason="数据有误")
    assert row.status == S.RETURNED
    assert row.return_reason == "数据有误"
    row = save(world, dt.date(2025, 3, 1), "101")
    assert row.value == D("101")
    assert row.status == S.RETURNED


def test_a_reporter_cannot_approve_and_a_leader_cannot_enter(world: World) -> None:
    row = services.submit_value(
        actor=world.park_reporter, row=save(world, dt.date(2025, 3, 1), "1")
    )
    with pytest.raises(NotAllowed):
        services.approve_value(actor=world.park_reporter, row=row)
    with pytest.raises(NotAllowed):
        save(world, dt.date(2025, 3, 1), "1", actor=world.city_leader)


def test_a_unit_outside_scope_or_not_a_unit_is_refused(world: World) -> None:
    with pytest.raises(DomainError, match="不在您的管理范围"):
        save(world, dt.date(2025, 3, 1), "1", actor=world.county_b_reporter, org=world.park_a)
    with pytest.raises(DomainError, match="不是指标填报单位"):
        save(world, dt.date(2025, 3, 1), "1", org=world.county_a_drc, actor=world.county_a_reporter)


def test_future_months_january_and_formula_indicators_are_refused(world: World) -> None:
    next_month = (timezone.localdate().replace(day=1) + dt.timedelta(days=40)).replace(day=1)
    with pytest.raises(DomainError, match="未来月份"):
        save(world, next_month, "1")
    with pytest.raises(DomainError, match="1–2月累计"):
        save(world, dt.date(2025, 1, 1), "1")
    with pytest.raises(DomainError, match="公式指标"):
        save(world, dt.date(2025, 3, 1), "1", indicator=Indicator.objects.get(code="tax_per_mu"))


def test_a_cumulative_value_below_last_month_needs_a_note(world: World) -> None:
    save(world, dt.date(2025, 3, 1), "500")
    with pytest.raises(DomainError, match="小于上月累计数") as info:
        save(world, dt.date(2025, 4, 1), "499")
    assert info.value.field == "note"
    row = save(world, dt.date(2025, 4, 1), "499", note="统计局修订3月数据")
    assert row.note == "统计局修订3月数据"


def test_a_stale_edit_is_refused_with_the_current_values(world: World) -> None:
    row = save(world, dt.date(2025, 3, 1), "1")
    save(world, dt.date(2025, 3, 1), "2", version=row.version)
    with pytest.raises(StaleObject) as info:
        save(world, dt.date(2025, 3, 1), "3", version=row.version)
    assert info.value.details["current"]["value"] == "2.0000"


def test_saving_the_same_value_twice_records_nothing(world: World) -> None:
    save(world, dt.date(2025, 3, 1), "7")
    start = AuditEvent.objects.count()
    save(world, dt.date(2025, 3, 1), "7")
    assert AuditEvent.objects.count() == start


def test_a_whole_unit_month_is_submitted_and_approved_at_once(world: World) -> None:
    save(world, dt.date(2025, 3, 1), "7")
    save(world, dt.date(2025, 3, 1), "3", indicator=Indicator.objects.get(code="profit"))
    period = dt.date(2025, 3, 1)
    n = services.transition_unit_period(
        actor=world.park_reporter, organisation=world.park_a, period=period, action="submit"
    )
    assert n == 2
    n = services.transition_unit_period(
        actor=world.county_a_reviewer, organisation=world.park_a, period=period, action="approve"
    )
    assert n == 2
    with pytest.raises(DomainError, match="没有可执行"):
        services.transition_unit_period(
            actor=world.county_a_reviewer,
            organisation=world.park_a,
            period=period,
            action="approve",
        )


def test_only_a_supervisor_changes_settings_and_the_subject_needs_n(world: World) -> None:
    current = StatsSettings.current()
    with pytest.raises(NotAllowed):
        services.update_settings(actor=world.county_a_reviewer, version=current.version)
    with pytest.raises(DomainError, match=r"\{n\}"):
        services.update_settings(
            actor=world.city_supervisor, version=current.version, cluster_subject="集聚区"
        )
    row = services.update_settings(
        actor=world.city_supervisor, version=current.version, change_prefix="较去年同期"
    )
    assert row.change_prefix == "较去年同期"
    with pytest.raises(StaleObject):
        services.update_settings(actor=world.city_supervisor, version=current.version)


def test_the_period_parser_explains_the_format() -> None:
    # stats reads periods with the one parser of dudao.core.periods (issue 10).
    assert parse_month("2021-6").first_day == dt.date(2021, 6, 1)
    with pytest.raises(DomainError, match="YYYY-MM"):
        parse_month("2021/06")
    with pytest.raises(DomainError, match="1–12"):
        parse_month("2021-13")
