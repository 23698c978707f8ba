"""Services of 重大项目: registry rules, the report cycle, locks, 409, idempotency, roll-ups."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError, InvalidTransition, NotAllowed, StaleObject
from dudao.projects import services
from dudao.projects.codes import decode_project_code, normalise_uscc
from dudao.projects.models import (
    CountyMonthStat,
    MonthLock,
    MonthlyReport,
    Project,
    ProjectMilestone,
    ProjectYearPlan,
)
from dudao.projects.testing import make_project, node, report
from dudao.testing import World

pytestmark = pytest.mark.django_db
S = MonthlyReport.Status
D = Decimal


# --- codes ------------------------------------------------------------------------------------


def test_it_decodes_legacy_and_new_codes() -> None:
    areas = {"410100", "320193"}
    legacy = decode_project_code("2019-410100-26-03-012345", areas)
    assert (
        legacy.scheme,
        legacy.year,
        legacy.month,
        legacy.area,
        legacy.sector,
        legacy.type_code,
    ) == ("legacy", 2019, None, "410100", "26", "03")
    new = decode_project_code("2509-320193-89-01-544060", areas)
    assert (new.scheme, new.year, new.month, new.area) == ("2020", 2025, 9, "320193")
    switch = decode_project_code("2011-410100-26-03-000001", areas)
    assert (switch.scheme, switch.year, switch.month) == ("2020", 2020, 11)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("2019-410100-26-03-01234", "格式不正确"),
        ("2019410100260301234567", "格式不正确"),
        ("1913-410100-26-03-012345", "时间代码"),
        ("2513-410100-26-03-012345", "时间代码"),
        ("2509-999999-26-03-012345", "不是已知的"),
    ],
)
def test_it_refuses_bad_codes(code: str, message: str) -> None:
    with pytest.raises(DomainError) as exc:
        decode_project_code(code, {"410100"})
    assert message in exc.value.message


def test_uscc_wrapper_accepts_letter_authorities_and_checks_the_check_character() -> None:
    assert normalise_uscc("91110108551385082Q") == "91110108551385082Q"
    assert normalise_uscc("91110000600037341L") == "91110000600037341L"
    # 登记管理部门 Y: stdnum refuses its format, the own mod-31 check accepts it.
    from dudao.projects.codes import uscc_check_char

    body = "Y1410100MA0000001"
    assert normalise_uscc(body + uscc_check_char(body)) == body + uscc_check_char(body)
    with pytest.raises(DomainError):
        normalise_uscc("91110108551385082A")
    with pytest.raises(DomainError):
        normalise_uscc(body + ("0" if uscc_check_char(body) != "0" else "1"))


# --- registry ---------------------------------------------------------------------------------


def test_create_project_decodes_code_and_audits(world: World) -> None:
    p = make_project(world)
    assert p.code_scheme == "2020"
    assert p.code_year == 2026
    assert p.code_month == 1
    assert AuditEvent.objects.filter(action="project.create", object_id=str(p.pk)).count() == 1


def test_reporter_cannot_register_in_another_county(world: World) -> None:
    with pytest.raises(DomainError, match="不在您的数据范围内"):
        make_project(world, county=world.county_b, actor=world.county_a_reporter)


def test_leader_cannot_register(world: World) -> None:
    with pytest.raises(NotAllowed):
        make_project(world, actor=world.city_leader)


def test_continuing_project_must_have_started(world: World) -> None:
    with pytest.raises(DomainError, match="续建项目必须已开工"):
        make_project(
            world, stage=Project.Stage.CONTINUING, actual_start=None, planned_start=date(2026, 3, 1)
        )
    p = make_project(world, stage=Project.Stage.CONTINUING)
    assert p.stage == Project.Stage.CONTINUING


def test_milestones_must_be_in_node_order(world: World) -> None:
    p = make_project(world)
    with pytest.raises(DomainError, match="顺序错误"):
        services.update_project(
            actor=world.city_supervisor,
            project=p,
            milestones={"COMPLETE": (None, date(2025, 12, 1))},
        )


def test_stale_project_edit_is_409_with_current_values(world: World) -> None:
    p = make_project(world)
    services.update_project(actor=world.city_supervisor, project=p, version=1, name="新名称")
    with pytest.raises(StaleObject) as exc:
        services.update_project(actor=world.city_supervisor, project=p, version=1, name="再改")
    assert exc.value.status_code == 409
    assert exc.value.details["current"]["name"] == "新名称"  # the one 409 body (core.versions)
    assert exc.value.details["version"] == 2


def test_bad_uscc_is_refused(world: World) -> None:
    with pytest.raises(DomainError, match="统一社会信用代码"):
        make_project(world, builder_uscc="91110108551385082A")


# --- report cycle -----------------------------------------------------------------------------


def test_derived_cumulative_figures(world: World) -> None:
    p = make_project(world, invest_before=D("1000"))
    report(world, p, 1, "1000")
    r2 = report(world, p, 2, "1500", funds_month=D("200"))
    assert (r2.invest_ytd, r2.invest_total, r2.funds_ytd) == (D("2500"), D("3500"), D("200"))
    # editing January re-derives February
    r1 = MonthlyReport.objects.get(project=p, month=1)
    services.save_report(
        actor=world.county_a_reporter,
        project=p,
        year=2026,
        month=1,
        data=services.ReportInput(invest_month=D("500")),
        version=r1.version,
    )
    r2.refresh_from_db()
    assert r2.invest_ytd == D("2000")


def test_cumulative_never_falls(world: World) -> None:
    p = make_project(world)
    with pytest.raises(DomainError, match="累计完成投资不能减少"):
        report(world, p, 1, "-1")


def test_ytd_not_above_total(world: World) -> None:
    p = make_project(world, total=D("1000"), plan=D("1000"))
    report(world, p, 1, "300")
    with pytest.raises(DomainError, match="不能超过项目总投资"):
        report(world, p, 2, "800", note="集中支付")


def test_jump_needs_a_note(world: World) -> None:
    p = make_project(world)  # plan 20000, threshold 40% → 8000
    with pytest.raises(DomainError, match="请在“说明”中注明原因") as exc:
        report(world, p, 1, "8000.01")
    assert exc.value.field == "note"
    assert report(world, p, 1, "8000.01", note="设备集中到货").invest_month == D("8000.01")


def test_milestone_in_report_must_follow_order(world: World) -> None:
    p = make_project(world)  # started 2026-01-15
    with pytest.raises(DomainError, match="顺序错误"):
        report(world, p, 2, "10", node=node("MAIN"), node_date=date(2026, 1, 10))
    r = report(world, p, 2, "10", node=node("MAIN"), node_date=date(2026, 2, 10), status=S.APPROVED)
    assert ProjectMilestone.objects.get(project=p, node=node("MAIN")).actual_date == r.node_date


def test_a_report_node_date_outside_the_window_is_refused(world: World) -> None:
    """A node date typed as year 206 passes "not after the month's end"; it is refused."""
    p = make_project(world)
    with pytest.raises(DomainError, match="节点实际日期“0206-02-10”超出允许范围") as exc:
        report(world, p, 2, "10", node=node("MAIN"), node_date=date(206, 2, 10))
    assert exc.value.field == "node_date"


def test_continuing_report_needs_start(world: World) -> None:
    p = make_project(world, stage=Project.Stage.NEW, actual_start=None)
    Project.objects.filter(pk=p.pk).update(stage=Project.Stage.CONTINUING)
    with pytest.raises(DomainError, match="续建项目必须已开工"):
        report(world, p, 1, "10")


def test_future_month_is_refused(world: World) -> None:
    p = make_project(world)
    with pytest.raises(DomainError, match="未来月份"):
        report(world, p, 12, "10", year=2099)


TRANSITIONS = [
    # (action, required role holder, refused actors)
    ("submit", "county_a_reporter", ["county_a_reviewer", "city_supervisor", "city_leader"]),
    ("approve", "county_a_reviewer", ["county_a_reporter", "city_supervisor", "city_leader"]),
    ("return", "county_a_reviewer", ["county_a_reporter", "city_supervisor", "judge"]),
]


def _do(action: str, actor: object, r: MonthlyReport) -> MonthlyReport:
    if action == "submit":
        return services.submit_report(actor=actor, report=r)  # type: ignore[arg-type]
    if action == "approve":
        return services.approve_report(actor=actor, report=r)  # type: ignore[arg-type]
    return services.return_report(actor=actor, report=r, reason="数据有误")  # type: ignore[arg-type]


@pytest.mark.parametrize(("action", "allowed", "refused"), TRANSITIONS)
def test_transition_roles(world: World, action: str, allowed: str, refused: list[str]) -> None:
    p = make_project(world)
    start = S.DRAFT if action == "submit" else S.SUBMITTED
    r = report(world, p, 3, "100", status=start)
    for name in refused:
        with pytest.raises(NotAllowed):
            _do(action, world.actor(name), r)  # type: ignore[arg-type]
    done = _do(action, world.actor(allowed), r)  # type: ignore[arg-type]
    assert (
        done.status == {"submit": S.SUBMITTED, "approve": S.APPROVED, "return": S.RETURNED}[action]
    )


@pytest.mark.parametrize("action", ["submit", "approve", "return"])
def test_other_county_is_not_found(world: World, action: str) -> None:
    p = make_project(world)
    r = report(world, p, 3, "100", status=S.DRAFT if action == "submit" else S.SUBMITTED)
    other = {"submit": world.county_b_reporter}.get(action)
    if other is None:
        from dudao.accounts.roles import Role
        from dudao.testing import add_user

        other = add_user(world, world.county_b, Role.REVIEWER)
    with pytest.raises(MonthlyReport.DoesNotExist):
        _do(action, other, r)


def test_park_reporter_reports_only_its_park_projects(world: World) -> None:
    from dudao.projects.testing import park_for

    park = park_for(world.park_a, world.county_a)
    in_park = make_project(world, park=park)
    outside = make_project(world)
    report(world, in_park, 3, "10", reporter=world.park_reporter)
    with pytest.raises(Project.DoesNotExist):
        report(world, outside, 3, "10", reporter=world.park_reporter)


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.DRAFT, "approve"),
        (S.DRAFT, "return"),
        (S.SUBMITTED, "submit"),
        (S.APPROVED, "submit"),
        (S.APPROVED, "approve"),
    ],
)
def test_invalid_transitions(world: World, status: str, action: str) -> None:
    p = make_project(world)
    r = report(world, p, 3, "100", status=status)
    actor = world.county_a_reporter if action == "submit" else world.county_a_reviewer
    with pytest.raises(InvalidTransition):
        _do(action, actor, r)


def test_submitted_report_cannot_be_edited_until_returned(world: World) -> None:
    p = make_project(world)
    r = report(world, p, 3, "100", status=S.SUBMITTED)
    with pytest.raises(InvalidTransition):
        report(world, p, 3, "200")
    services.return_report(actor=world.county_a_reviewer, report=r, reason="请核实")
    assert report(world, p, 3, "200").invest_month == D("200")


def test_return_needs_a_reason(world: World) -> None:
    p = make_project(world)
    r = report(world, p, 3, "100", status=S.SUBMITTED)
    with pytest.raises(DomainError, match="原因"):
        services.return_report(actor=world.county_a_reviewer, report=r, reason="  ")


def test_late_and_on_time(world: World) -> None:
    p = make_project(world)
    with time_machine.travel(date(2026, 4, 3), tick=False):
        on_time = report(world, p, 3, "100", status=S.SUBMITTED)
    with time_machine.travel(date(2026, 5, 8), tick=False):
        late = report(world, p, 4, "100", status=S.SUBMITTED)
    assert not on_time.is_late
    assert late.is_late  # accepted, marked late


def test_stale_report_edit_is_409(world: World) -> None:
    p = make_project(world)
    r = report(world, p, 3, "100")
    services.save_report(
        actor=world.county_a_reporter,
        project=p,
        year=2026,
        month=3,
        data=services.ReportInput(invest_month=D("150")),
        version=r.version,
    )
    with pytest.raises(StaleObject) as exc:
        services.save_report(
            actor=world.county_a_reporter,
            project=p,
            year=2026,
            month=3,
            data=services.ReportInput(invest_month=D("170")),
            version=r.version,
        )
    assert exc.value.details["current"]["invest_month"] == "150.00"


def test_repeated_request_writes_nothing_twice(world: World) -> None:
    p = make_project(world)
    data = services.ReportInput(invest_month=D("100"))
    first = services.save_report(
        actor=world.county_a_reporter, project=p, year=2026, month=3, data=data, request_id="req-1"
    )
    events = AuditEvent.objects.count()
    again = services.save_report(
        actor=world.county_a_reporter,
        project=p,
        year=2026,
        month=3,
        data=services.ReportInput(invest_month=D("999")),
        request_id="req-1",
    )
    assert again.pk == first.pk
    assert again.invest_month == D("100")
    sub = services.submit_report(actor=world.county_a_reporter, report=first, request_id="req-2")
    sub2 = services.submit_report(actor=world.county_a_reporter, report=first, request_id="req-2")
    assert sub2.version == sub.version
    assert AuditEvent.objects.count() == events + 1


def test_every_change_is_audited_once(world: World) -> None:
    p = make_project(world)
    before = AuditEvent.objects.count()
    r = report(world, p, 3, "100", status=S.APPROVED)
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)[before:])
    assert actions == ["project.report_save", "project.report_submit", "project.report_approve"]
    assert AuditEvent.objects.get(action="project.report_approve").object_id == str(r.pk)


# --- roll-ups ---------------------------------------------------------------------------------


def test_rollups_follow_approve_and_return(world: World) -> None:
    p = make_project(world)
    r1 = report(world, p, 1, "1000", status=S.APPROVED)
    report(world, p, 2, "500", status=S.APPROVED)
    plan = ProjectYearPlan.objects.get(project=p, year=2026)
    assert (plan.approved_ytd, plan.approved_month) == (D("1500"), 2)
    stat = CountyMonthStat.objects.get(county=world.county_a, year=2026, month=1)
    assert (stat.approved_count, stat.invest) == (1, D("1000"))
    services.return_report(actor=world.county_a_reviewer, report=r1, reason="更正")
    stat.refresh_from_db()
    plan.refresh_from_db()
    assert (stat.approved_count, stat.invest) == (0, D("0"))
    assert plan.approved_ytd == D("500")


# --- locks ------------------------------------------------------------------------------------


def test_lock_blocks_everything_and_unlock_needs_reason(world: World) -> None:
    p = make_project(world)
    r = report(world, p, 3, "100", status=S.SUBMITTED)
    with pytest.raises(NotAllowed):
        services.lock_month(actor=world.county_a_reviewer, year=2026, month=3)
    # A report awaiting review would be frozen unreviewed: the lock is refused, saying why.
    with pytest.raises(DomainError, match="还有 1 份月报已报送、尚未审核"):
        services.lock_month(actor=world.city_supervisor, year=2026, month=3, county=world.county_a)
    assert not MonthLock.objects.exists()
    r = services.approve_report(actor=world.county_a_reviewer, report=r)
    lock = services.lock_month(
        actor=world.city_supervisor, year=2026, month=3, county=world.county_a
    )
    with pytest.raises(InvalidTransition, match="已锁定"):
        services.return_report(actor=world.county_a_reviewer, report=r, reason="口径有误")
    with pytest.raises(InvalidTransition, match="已锁定"):
        report(world, p, 3, "5")
    with pytest.raises(InvalidTransition):
        services.lock_month(actor=world.city_supervisor, year=2026, month=3, county=world.county_a)
    with pytest.raises(DomainError, match="原因"):
        services.unlock_month(actor=world.city_supervisor, lock=lock, reason="")
    with pytest.raises(NotAllowed):
        services.unlock_month(actor=world.county_a_reviewer, lock=lock, reason="x")
    services.unlock_month(actor=world.city_supervisor, lock=lock, reason="更正统计口径")
    returned = services.return_report(actor=world.county_a_reviewer, report=r, reason="口径有误")
    assert returned.status == S.RETURNED
    assert MonthLock.objects.filter(is_active=False).count() == 1


def test_lock_can_approve_the_pending_reports_first(world: World) -> None:
    p, q = make_project(world), make_project(world)
    r1 = report(world, p, 3, "100", status=S.SUBMITTED)
    r2 = report(world, q, 3, "50", status=S.SUBMITTED)
    lock = services.lock_month(
        actor=world.city_supervisor,
        year=2026,
        month=3,
        county=world.county_a,
        pending=services.PENDING_APPROVE,
    )
    assert lock.is_active
    for r in (r1, r2):
        r.refresh_from_db()
        assert r.status == S.APPROVED
        assert r.reviewed_by == world.city_supervisor
    events = AuditEvent.objects.filter(action="project.report_approve")
    assert events.count() == 2
    assert set(events.values_list("reason", flat=True)) == {"锁定2026年3月前一并审核通过"}
    # … and the approval reached the plan's roll-up like any other.
    assert ProjectYearPlan.objects.get(project=p, year=2026).approved_ytd == Decimal("100")


def test_lock_can_return_the_pending_reports_first_with_a_reason(world: World) -> None:
    p = make_project(world)
    r = report(world, p, 3, "100", status=S.SUBMITTED)
    with pytest.raises(DomainError, match="退回必须填写原因"):
        services.lock_month(
            actor=world.city_supervisor, year=2026, month=3, pending=services.PENDING_RETURN
        )
    assert not MonthLock.objects.exists()  # the refusal rolled everything back
    services.lock_month(
        actor=world.city_supervisor,
        year=2026,
        month=3,
        pending=services.PENDING_RETURN,
        reason="数据未经核实",
    )
    r.refresh_from_db()
    assert (r.status, r.return_reason) == (S.RETURNED, "数据未经核实")
    assert AuditEvent.objects.filter(action="project.report_return", reason="数据未经核实").exists()


def test_bulk_approval_is_one_transition_per_report(world: World) -> None:
    p, q = make_project(world), make_project(world)
    r1 = report(world, p, 3, "100", status=S.SUBMITTED)
    r2 = report(world, q, 3, "50", status=S.SUBMITTED)
    stale = r2.version - 1
    outcome = services.approve_reports(
        actor=world.county_a_reviewer, items=[(r1, r1.version), (r2, stale)]
    )
    assert [r.pk for r in outcome.approved] == [r1.pk]
    assert [(r.pk, "已被他人修改" in why) for r, why in outcome.failed] == [(r2.pk, True)]
    assert AuditEvent.objects.filter(action="project.report_approve").count() == 1
    r2.refresh_from_db()
    assert r2.status == S.SUBMITTED
    # Not a reviewer: every item refused, none approved.
    refused = services.approve_reports(actor=world.city_supervisor, items=[(r2, None)])
    assert (refused.approved, [why for _r, why in refused.failed]) == (
        [],
        ["只有审核员可以执行此操作。"],
    )


def test_city_wide_lock_covers_every_county(world: World) -> None:
    p = make_project(world, county=world.county_b)
    services.lock_month(actor=world.city_supervisor, year=2026, month=2)
    with pytest.raises(InvalidTransition):
        report(world, p, 2, "5", reporter=world.county_b_reporter)


def test_lock_only_after_deadline(world: World) -> None:
    with (
        time_machine.travel(date(2026, 4, 3), tick=False),
        pytest.raises(DomainError, match="截止后才能锁定"),
    ):
        services.lock_month(actor=world.city_supervisor, year=2026, month=3)


def test_deadline_default_is_5th_of_next_month_rolled_past_rest_days() -> None:
    # 2026-07-05 is a Sunday → the next workday
    assert services.report_deadline(2026, 6).due == date(2026, 7, 6)
    assert services.report_deadline(2026, 3).due == date(2026, 4, 7)  # 清明 4/4–4/6
    assert services.report_deadline(2026, 8).due == date(2026, 9, 7)  # Sat 9/5 → Mon


def test_deadline_in_workdays(world: World) -> None:
    services.update_settings(actor=world.city_supervisor, deadline_kind="workday", deadline_days=5)
    assert services.report_deadline(2026, 6).due == date(2026, 7, 7)


def test_settings_are_supervisor_only_and_checked(world: World) -> None:
    with pytest.raises(NotAllowed):
        services.update_settings(actor=world.county_a_reviewer, lag_yellow_from=D("5"))
    with pytest.raises(DomainError):
        services.update_settings(actor=world.city_supervisor, lag_yellow_from=D("50"))


def test_a_milestone_date_outside_the_window_is_refused(world: World) -> None:
    """A planned date typed as 3026 would pass every order check; it is refused by name."""
    p = make_project(world)
    with pytest.raises(DomainError, match="计划日期“3026-06-01”超出允许范围"):
        services.update_project(
            actor=world.city_supervisor,
            project=p,
            milestones={"COMPLETE": (date(3026, 6, 1), None)},
        )
    assert not p.milestones.filter(planned_date__year=3026).exists()
