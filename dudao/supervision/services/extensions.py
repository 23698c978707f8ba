"""督查督办 writes (`dudao.supervision.services`): extensions."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.bounds import check_date
from dudao.core.exceptions import (
    DomainError,
    InvalidTransition,
)
from dudao.core.snapshot import diff, snapshot
from dudao.supervision.models import (
    SupervisionTask,
    TaskExtension,
)
from dudao.workdays.calendar import format_day

if TYPE_CHECKING:
    from dudao.accounts.models import User
from dudao.supervision.services._base import S
from dudao.supervision.services._helpers import (
    _bump,
    _lock_task,
    _require_responsible,
    _require_verifier,
    _tell,
    _today,
)
from dudao.supervision.services.progress import _refresh_light_fields

# --- extensions --------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def request_extension(
    *,
    actor: User,
    task: SupervisionTask,
    new_deadline: date | None,
    reason: str,
    progress_note: str = "",
) -> TaskExtension:
    """延期申请: only before the deadline passes, for a later date within the parent's."""
    task = _lock_task(actor, task)
    _require_responsible(actor, task)
    if task.status not in (S.ASSIGNED, S.IN_PROGRESS, S.RETURNED):
        raise InvalidTransition(f"任务处于“{task.get_status_display()}”状态，不能申请延期。")
    today = _today()
    if task.deadline is None or today > task.deadline:
        raise DomainError(
            f"已超过完成时限（{format_day(task.deadline) if task.deadline else '—'}），"
            "不能再申请延期；延期须在到期前申请。"
        )
    if new_deadline is None:
        raise DomainError("请填写申请的完成时限。", field="new_deadline")
    check_date(new_deadline, label="申请的完成时限", field="new_deadline")
    if new_deadline <= task.deadline:
        raise DomainError("申请的完成时限必须晚于原完成时限。", field="new_deadline")
    if task.parent is not None and task.parent.deadline and new_deadline > task.parent.deadline:
        raise DomainError(
            f"申请的完成时限不能晚于上级任务的完成时限（{format_day(task.parent.deadline)}）。",
            field="new_deadline",
        )
    if not reason.strip():
        raise DomainError("请填写延期理由。", field="reason")
    if task.extensions.filter(status=TaskExtension.Status.PENDING).exists():
        raise InvalidTransition("该任务已有待审批的延期申请。")
    ext = TaskExtension(
        task=task,
        reason=reason.strip(),
        progress_note=progress_note.strip(),
        old_deadline=task.deadline,
        new_deadline=new_deadline,
        requested_by=actor,
    )
    ext.save()
    record_event(actor=actor, action="supervision.extension_request", obj=task, after=snapshot(ext))
    _tell(
        task,
        issuer=True,
        kind="extension",
        title=f"延期申请待审批：{task.title}",
        body=f"申请延期至 {format_day(new_deadline)}：{ext.reason[:60]}",
    )
    return ext


@transaction.atomic(durable=True)
def decide_extension(
    *, actor: User, extension: TaskExtension, approve: bool, note: str = ""
) -> TaskExtension:
    """The issuing office approves (the deadline moves, counted) or refuses (reason required)."""
    task = _lock_task(actor, extension.task)
    _require_verifier(actor, task)
    ext = TaskExtension.objects.select_for_update().get(pk=extension.pk)
    if ext.status != TaskExtension.Status.PENDING:
        raise InvalidTransition("该延期申请已审批。")
    if not approve and not note.strip():
        raise DomainError("不批准时必须写明理由。", field="note")
    before = snapshot(task)
    ext.status = TaskExtension.Status.APPROVED if approve else TaskExtension.Status.REFUSED
    ext.decided_by, ext.decided_at, ext.decision_note = actor, timezone.now(), note.strip()
    ext.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approve:
        task.deadline = ext.new_deadline
        task.extension_count += 1
        task.deadline_explanation = (
            f"经批准延期：原完成时限{format_day(ext.old_deadline)}，"
            f"延期至{format_day(ext.new_deadline)}。"
        )
        task.deadline_provisional = False
        _refresh_light_fields(task, _today())
        _bump(
            task,
            [
                "deadline",
                "extension_count",
                "deadline_explanation",
                "deadline_provisional",
                "light",
                "light_reasons",
                "light_on",
            ],
        )
    b, a = diff(before, snapshot(task))
    a["extension"] = {"id": ext.pk, "status": ext.status, "new_deadline": str(ext.new_deadline)}
    record_event(
        actor=actor,
        action="supervision.extension_approve" if approve else "supervision.extension_refuse",
        obj=task,
        before=b,
        after=a,
        reason=note.strip(),
    )
    _tell(
        task,
        issuer=False,
        kind="extension",
        title=f"延期申请{'已批准' if approve else '未批准'}：{task.title}",
        body=note.strip() or f"完成时限调整为 {format_day(ext.new_deadline)}。",
    )
    return ext
