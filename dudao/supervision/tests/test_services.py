"""The supervision cycle through its services: clarities, deadlines, cascade, feedback,
close-out, extensions, and every refusal with nothing written."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError, InvalidTransition, NotAllowed, StaleObject
from dudao.supervision import services
from dudao.supervision.models import Attachment, Notification, SupervisionTask, TaskExtension
from dudao.supervision.tests.factories import evidence, make_source, make_task
from dudao.testing import World

pytestmark = pytest.mark.django_db
S = SupervisionTask.Status


def _events(task: SupervisionTask) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="supervision.supervisiontask", object_id=str(task.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_it_refuses_to_issue_a_task_missing_a_clarity(world: World) -> None:
    task = make_task(world, issue=False, goal="", lead_org=None)
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError) as exc:
        services.issue_task(actor=world.city_supervisor, task=task)
    assert exc.value.message == "四个明确未落实，不能交办：缺少责任主体（牵头单位）、工作目标。"
    task.refresh_from_db()
    assert task.status == S.DRAFT
    assert AuditEvent.objects.count() == before


def test_it_refuses_a_deadline_in_the_past(world: World) -> None:
    task = make_task(world, issue=False, deadline=timezone.localdate() - timedelta(days=1))
    with pytest.raises(DomainError, match="已过，不能交办"):
        services.issue_task(actor=world.city_supervisor, task=task)


@time_machine.travel(date(2025, 9, 26), tick=False)
def test_it_computes_a_workday_deadline_from_the_day_of_assignment(world: World) -> None:
    # §9.12: assigned Fri 2025-09-26, 5 个工作日 → 9/28, 9/29, 9/30, 10/9, 10/10.
    task = make_task(world, deadline=None, deadline_mode="workday", deadline_amount=5)
    assert task.deadline == date(2025, 10, 10)
    assert task.assigned_on == date(2025, 9, 26)
    assert not task.deadline_provisional
    assert "2025年10月10日" in task.deadline_explanation


@time_machine.travel(date(2025, 1, 20), tick=False)
def test_it_rolls_a_calendar_day_deadline_out_of_the_spring_festival(world: World) -> None:
    task = make_task(world, deadline=None, deadline_mode="calendar_day", deadline_amount=15)
    assert task.deadline == date(2025, 2, 5)


@time_machine.travel(date(2031, 12, 20), tick=False)
def test_it_flags_a_deadline_in_an_unknown_year_as_provisional(world: World) -> None:
    task = make_task(world, deadline=None, deadline_mode="workday", deadline_amount=20)
    assert task.deadline is not None
    assert task.deadline.year == 2032
    assert task.deadline_provisional
    assert "暂按周一至周五为工作日计算" in task.deadline_explanation


def test_it_refuses_a_child_deadline_after_its_parents(world: World) -> None:
    parent = make_task(world, deadline=timezone.localdate() + timedelta(days=30))
    child = make_task(
        world,
        parent=parent,
        lead_org=world.county_a_drc,
        issue=False,
        deadline=timezone.localdate() + timedelta(days=31),
    )
    with pytest.raises(DomainError, match="不能晚于上级任务的完成时限"):
        services.issue_task(actor=world.city_supervisor, task=child)
    child.refresh_from_db()
    assert child.status == S.DRAFT


def test_a_county_splits_its_task_only_to_its_own_sub_units(world: World) -> None:
    parent = make_task(world)
    child = make_task(world, parent=parent, actor=world.county_a_reviewer, lead_org=world.park_a)
    assert child.code == f"{parent.code}-01"
    assert child.issuing_org == world.county_a
    with pytest.raises(DomainError, match="牵头单位不在您的数据范围内"):
        make_task(world, parent=parent, actor=world.county_a_reviewer, lead_org=world.county_b)
    with pytest.raises(DomainError, match="不能与上级任务相同"):
        make_task(world, parent=parent, actor=world.county_a_reviewer, lead_org=world.county_a)


def test_it_rolls_progress_up_with_missing_weights(world: World) -> None:
    parent = make_task(world)
    a = make_task(world, parent=parent, lead_org=world.county_a_drc, weight=Decimal(3))
    b = make_task(world, parent=parent, lead_org=world.park_a, weight=Decimal(1))
    c = make_task(world, parent=parent, lead_org=world.county_b)  # no weight
    services.post_feedback(actor=world.county_a_reporter, task=a, progress="60", text="推进中")
    services.post_feedback(actor=world.park_reporter, task=b, progress="20", text="推进中")
    services.post_feedback(actor=world.county_b_reporter, task=c, progress="40", text="推进中")
    parent.refresh_from_db()
    # c counts with the mean of the given weights, 2: (3×60 + 1×20 + 2×40) ÷ 6 = 46.67
    assert parent.progress == Decimal("46.67")
    basis = parent.progress_basis
    assert basis["method"] == "weighted_with_defaults"
    assert "平均值 2.00" in basis["note"]
    assert basis["formula"] == "(3.00×60.0% + 1.00×20.0% + 2.00×40.0%) ÷ 6.00 = 46.7%"


def test_it_rolls_progress_up_equally_when_no_weight_is_given(world: World) -> None:
    parent = make_task(world)
    a = make_task(world, parent=parent, lead_org=world.county_a_drc)
    make_task(world, parent=parent, lead_org=world.county_b)
    services.post_feedback(actor=world.county_a_reporter, task=a, progress="50", text="推进中")
    parent.refresh_from_db()
    assert parent.progress == Decimal("25.00")
    assert parent.progress_basis["method"] == "equal"


def test_the_whole_cycle_is_audited_step_by_step(world: World) -> None:
    task = make_task(world)
    fb = services.post_feedback(
        actor=world.county_a_reporter,
        task=task,
        progress="80",
        text="已完成方案编制",
        files=[evidence()],
    )
    assert Attachment.objects.filter(feedback=fb).count() == 1
    services.apply_closeout(
        actor=world.county_a_reviewer, task=task, text="全部完成", files=[evidence()]
    )
    task = services.verify_closeout(actor=world.city_supervisor, task=task, passed=True)
    assert task.status == S.CLOSED
    assert task.closed_on_time is True
    assert task.progress == Decimal(100)
    assert _events(task) == [
        "supervision.task_create",
        "supervision.task_issue",
        "supervision.feedback",
        "supervision.closeout_apply",
        "supervision.closeout_verify",
    ]
    assert Notification.objects.filter(user=world.county_a_reviewer, kind="closed").exists()


def test_a_return_needs_a_reason_and_is_counted(world: World) -> None:
    task = make_task(world)
    services.apply_closeout(
        actor=world.county_a_reporter, task=task, text="完成", files=[evidence()]
    )
    with pytest.raises(DomainError, match="退回时必须写明退回原因"):
        services.verify_closeout(actor=world.city_supervisor, task=task, passed=False)
    task = services.verify_closeout(
        actor=world.city_supervisor, task=task, passed=False, note="佐证材料不全"
    )
    assert task.status == S.RETURNED
    assert task.return_count == 1
    assert task.last_return_reason == "佐证材料不全"


def test_close_out_needs_evidence(world: World) -> None:
    task = make_task(world)
    with pytest.raises(DomainError, match="至少一份佐证材料"):
        services.apply_closeout(actor=world.county_a_reporter, task=task, text="完成")


def test_the_responsible_unit_cannot_verify_its_own_close_out(world: World) -> None:
    parent = make_task(world)
    child = make_task(world, parent=parent, actor=world.county_a_reviewer, lead_org=world.park_a)
    services.apply_closeout(actor=world.park_reporter, task=child, text="完成", files=[evidence()])
    # The county issued the child: its reviewer verifies (the park cannot verify itself).
    services.verify_closeout(actor=world.county_a_reviewer, task=child, passed=True)
    services.apply_closeout(
        actor=world.county_a_reviewer, task=parent, text="完成", files=[evidence()]
    )
    with pytest.raises(NotAllowed, match="核查不能由责任单位自己完成"):
        services.verify_closeout(actor=world.county_a_reviewer, task=parent, passed=True)


def test_a_parent_cannot_apply_while_a_child_is_open(world: World) -> None:
    parent = make_task(world)
    make_task(world, parent=parent, lead_org=world.county_a_drc)
    with pytest.raises(InvalidTransition, match="1 项下级任务未销号"):
        services.apply_closeout(
            actor=world.county_a_reviewer, task=parent, text="完成", files=[evidence()]
        )


def test_a_forbidden_file_type_writes_nothing(world: World) -> None:
    task = make_task(world)
    before = (AuditEvent.objects.count(), Attachment.objects.count())
    with pytest.raises(DomainError, match="不支持的文件类型"):
        services.post_feedback(
            actor=world.county_a_reporter,
            task=task,
            progress="10",
            text="x",
            files=[services.Upload("病毒.exe", b"MZ\x90")],
        )
    with pytest.raises(DomainError, match="文件过大"):
        services.post_feedback(
            actor=world.county_a_reporter,
            task=task,
            progress="10",
            text="x",
            files=[services.Upload("大.pdf", b"%PDF-" + b"0" * (20 * 1024 * 1024))],
        )
    assert (AuditEvent.objects.count(), Attachment.objects.count()) == before
    task.refresh_from_db()
    assert task.last_feedback_on is None


def test_another_county_cannot_report_on_a_task(world: World) -> None:
    task = make_task(world)
    with pytest.raises(NotAllowed):
        services.post_feedback(actor=world.county_b_reporter, task=task, progress="1", text="x")


def test_extensions_are_asked_before_the_deadline_and_counted(world: World) -> None:
    today = timezone.localdate()
    task = make_task(world, deadline=today + timedelta(days=10))
    ext = services.request_extension(
        actor=world.county_a_reporter,
        task=task,
        new_deadline=today + timedelta(days=20),
        reason="征地手续延后",
    )
    with pytest.raises(InvalidTransition, match="已有待审批"):
        services.request_extension(
            actor=world.county_a_reporter,
            task=task,
            new_deadline=today + timedelta(days=25),
            reason="再延",
        )
    services.decide_extension(actor=world.city_supervisor, extension=ext, approve=True)
    task.refresh_from_db()
    assert task.deadline == today + timedelta(days=20)
    assert task.extension_count == 1
    ext2 = services.request_extension(
        actor=world.county_a_reporter,
        task=task,
        new_deadline=today + timedelta(days=30),
        reason="再延",
    )
    with pytest.raises(DomainError, match="不批准时必须写明理由"):
        services.decide_extension(actor=world.city_supervisor, extension=ext2, approve=False)
    services.decide_extension(
        actor=world.city_supervisor, extension=ext2, approve=False, note="理由不充分"
    )
    task.refresh_from_db()
    assert task.extension_count == 1
    assert task.extensions.filter(status=TaskExtension.Status.REFUSED).count() == 1


def test_an_extension_asked_after_the_deadline_is_refused(world: World) -> None:
    today = timezone.localdate()
    task = make_task(world, deadline=today + timedelta(days=2))
    with (
        time_machine.travel(today + timedelta(days=3)),
        pytest.raises(DomainError, match="已超过完成时限"),
    ):
        services.request_extension(
            actor=world.county_a_reporter,
            task=task,
            new_deadline=today + timedelta(days=20),
            reason="来不及",
        )
    assert not TaskExtension.objects.filter(task=task).exists()


def test_a_stale_version_is_refused_with_the_current_values(world: World) -> None:
    task = make_task(world, issue=False)
    services.update_task(actor=world.city_supervisor, task=task, version=1, title="新标题")
    with pytest.raises(StaleObject) as exc:
        services.update_task(actor=world.city_supervisor, task=task, version=1, title="旧")
    assert exc.value.details["current"]["title"] == "新标题"  # the one 409 body


def test_a_document_source_needs_its_number(world: World) -> None:
    with pytest.raises(DomainError, match="文号"):
        make_source(world.city_supervisor, kind="document")
    source = make_source(
        world.city_supervisor, kind="document", doc_number="示政〔2026〕12号", files=[evidence()]
    )
    assert source.attachments.count() == 1


def test_only_supervisors_issue_top_level_tasks(world: World) -> None:
    source = make_source(world.county_a_reviewer)
    with pytest.raises(NotAllowed):
        services.create_task(actor=world.county_a_reviewer, source=source, title="x")
    with pytest.raises(NotAllowed):
        services.create_task(actor=world.county_a_reporter, source=source, title="x")


def test_a_no_op_edit_writes_nothing(world: World) -> None:
    task = make_task(world, issue=False)
    events = _events(task)
    same = services.update_task(
        actor=world.city_supervisor,
        task=task,
        version=task.version,
        title=f"  {task.title} ",
        lead_org=task.lead_org,
    )
    assert same.version == task.version  # no bump
    assert _events(task) == events  # no empty audit event
    SupervisionTask.objects.get(pk=task.pk, version=task.version, title=task.title)


def test_an_out_of_scope_co_organiser_is_refused_by_name(world: World) -> None:
    parent = make_task(world)
    before = (SupervisionTask.objects.count(), AuditEvent.objects.count())
    with pytest.raises(DomainError) as exc:
        services.create_task(
            actor=world.county_a_reviewer,
            source=parent.source,
            parent=parent,
            title="分解任务",
            lead_org=world.county_a_drc,
            co_orgs=[world.park_a, world.county_b],
        )
    assert exc.value.message == f"配合单位不在您的数据范围内：{world.county_b.name}。"
    assert (SupervisionTask.objects.count(), AuditEvent.objects.count()) == before
    child = services.create_task(
        actor=world.county_a_reviewer,
        source=parent.source,
        parent=parent,
        title="分解任务",
        lead_org=world.county_a_drc,
        co_orgs=[world.park_a],
    )
    assert list(child.co_orgs.all()) == [world.park_a]
