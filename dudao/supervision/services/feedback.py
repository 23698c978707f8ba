"""督查督办 writes (`dudao.supervision.services`): feedback and close-out."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.exceptions import (
    DomainError,
    InvalidTransition,
)
from dudao.core.snapshot import diff, snapshot
from dudao.supervision.models import (
    SupervisionTask,
    TaskFeedback,
)
from dudao.supervision.rules import task_closed_on_time

if TYPE_CHECKING:
    from dudao.accounts.models import User
from dudao.supervision.services._base import S, Upload
from dudao.supervision.services._helpers import (
    _bump,
    _lock_task,
    _require_responsible,
    _require_verifier,
    _save_files,
    _tell,
    _today,
)
from dudao.supervision.services.progress import (
    _recompute_progress,
    _refresh_ancestors,
    _refresh_light_fields,
)

# --- feedback and close-out --------------------------------------------------------------------


def _parse_progress(value: Any) -> Decimal:
    try:
        p = Decimal(str(value))
    except (InvalidOperation, TypeError):
        raise DomainError("进度必须是 0 到 100 之间的数字。", field="progress") from None
    if not Decimal(0) <= p <= Decimal(100):
        raise DomainError("进度必须在 0 到 100 之间。", field="progress")
    return p


@transaction.atomic(durable=True)
def post_feedback(
    *,
    actor: User,
    task: SupervisionTask,
    progress: Any,
    text: str,
    problems: str = "",
    next_steps: str = "",
    files: Sequence[Upload] = (),
) -> TaskFeedback:
    """A unit reports progress on its cycle (with evidence files)."""
    task = _lock_task(actor, task)
    _require_responsible(actor, task)
    if task.status not in (S.ASSIGNED, S.IN_PROGRESS, S.RETURNED):
        raise InvalidTransition(f"任务处于“{task.get_status_display()}”状态，不能填报进展。")
    if not text.strip():
        raise DomainError("请填写进展情况。", field="text")
    p = _parse_progress(progress)
    if p == 100 and task.status != S.RETURNED:
        pass  # 100% is allowed; close-out still needs 申请销号 with evidence
    feedback = TaskFeedback(
        task=task,
        kind=TaskFeedback.Kind.PROGRESS,
        progress=p,
        text=text.strip(),
        problems=problems.strip(),
        next_steps=next_steps.strip(),
        submitted_by=actor,
    )
    feedback.save()
    _save_files(actor, files, organisation=task.lead_org, feedback=feedback)  # type: ignore[arg-type]
    before = snapshot(task)
    task.reported_progress = p
    task.last_feedback_on = _today()
    task.status = S.IN_PROGRESS
    _recompute_progress(task)
    _refresh_light_fields(task, _today())
    _bump(
        task,
        [
            "reported_progress",
            "last_feedback_on",
            "status",
            "progress",
            "progress_basis",
            "light",
            "light_reasons",
            "light_on",
        ],
    )
    b, a = diff(before, snapshot(task))
    a["feedback"] = {"id": feedback.pk, "progress": str(p), "text": feedback.text[:200]}
    a["attachments"] = [f.name for f in files]
    record_event(actor=actor, action="supervision.feedback", obj=task, before=b, after=a)
    _refresh_ancestors(task)
    return feedback


@transaction.atomic(durable=True)
def apply_closeout(
    *, actor: User, task: SupervisionTask, text: str, files: Sequence[Upload] = ()
) -> TaskFeedback:
    """申请销号 with at least one evidence file; every child must be closed first."""
    task = _lock_task(actor, task)
    _require_responsible(actor, task)
    if task.status not in (S.ASSIGNED, S.IN_PROGRESS, S.RETURNED):
        raise InvalidTransition(f"任务处于“{task.get_status_display()}”状态，不能申请销号。")
    if not text.strip():
        raise DomainError("请填写完成情况。", field="text")
    if not files:
        raise DomainError("申请销号必须上传至少一份佐证材料。", field="files")
    open_children = task.children.exclude(status__in=[S.CLOSED, S.DRAFT]).count()
    if open_children:
        raise InvalidTransition(f"还有 {open_children} 项下级任务未销号，不能申请销号。")
    feedback = TaskFeedback(
        task=task,
        kind=TaskFeedback.Kind.CLOSEOUT,
        progress=Decimal(100),
        text=text.strip(),
        submitted_by=actor,
        review=TaskFeedback.Review.PENDING,
    )
    feedback.save()
    _save_files(actor, files, organisation=task.lead_org, feedback=feedback)  # type: ignore[arg-type]
    before = snapshot(task)
    task.status = S.APPLIED
    task.last_feedback_on = _today()
    _bump(task, ["status", "last_feedback_on"])
    b, a = diff(before, snapshot(task))
    a["attachments"] = [f.name for f in files]
    record_event(actor=actor, action="supervision.closeout_apply", obj=task, before=b, after=a)
    _tell(
        task,
        issuer=True,
        kind="applied",
        title=f"待核查销号：{task.title}",
        body=f"{task.lead_org}申请销号（{task.code}）。",
    )
    return feedback


@transaction.atomic(durable=True)
def verify_closeout(
    *,
    actor: User,
    task: SupervisionTask,
    passed: bool,
    note: str = "",
    version: int | None = None,
) -> SupervisionTask:
    """核查: pass → 销号 (closed, on time or late); fail → returned with the reason."""
    task = _lock_task(actor, task, version)
    _require_verifier(actor, task)
    if task.status != S.APPLIED:
        raise InvalidTransition(
            f"任务处于“{task.get_status_display()}”状态，没有待核查的销号申请。"
        )
    application = task.feedbacks.filter(
        kind=TaskFeedback.Kind.CLOSEOUT, review=TaskFeedback.Review.PENDING
    ).first()
    if not passed and not note.strip():
        raise DomainError("退回时必须写明退回原因。", field="note")
    before = snapshot(task)
    now = timezone.now()
    if application is not None:
        application.review = TaskFeedback.Review.PASSED if passed else TaskFeedback.Review.RETURNED
        application.reviewed_by, application.reviewed_at = actor, now
        application.review_note = note.strip()
        application.save(update_fields=["review", "reviewed_by", "reviewed_at", "review_note"])
    if passed:
        task.status = S.CLOSED
        task.closed_at = now
        task.closed_on_time = task_closed_on_time(task.deadline, timezone.localdate(now))
        task.reported_progress = Decimal(100)
        fields = ["status", "closed_at", "closed_on_time", "reported_progress"]
        action, kind, title = "supervision.closeout_verify", "closed", f"任务已销号：{task.title}"
    else:
        task.status = S.RETURNED
        task.return_count += 1
        task.last_return_reason = note.strip()
        fields = ["status", "return_count", "last_return_reason"]
        action, kind, title = "supervision.closeout_return", "returned", f"销号被退回：{task.title}"
    _recompute_progress(task)
    _refresh_light_fields(task, _today())
    _bump(task, [*fields, "progress", "progress_basis", "light", "light_reasons", "light_on"])
    b, a = diff(before, snapshot(task))
    record_event(actor=actor, action=action, obj=task, before=b, after=a, reason=note.strip())
    _refresh_ancestors(task)
    _tell(
        task,
        issuer=False,
        kind=kind,
        title=title,
        body=note.strip() or f"{task.code} 经核查予以销号。",
    )
    return task
