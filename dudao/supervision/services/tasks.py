"""督查督办 writes (`dudao.supervision.services`): tasks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.bounds import check_date
from dudao.core.exceptions import (
    DomainError,
    InvalidTransition,
    NotAllowed,
    full_clean_or_raise,
)
from dudao.core.policies import require_role
from dudao.core.snapshot import diff, snapshot
from dudao.orgs.models import Organisation
from dudao.supervision.models import (
    SupervisionTask,
    TaskMilestone,
    TaskSource,
)
from dudao.workdays.calendar import format_day
from dudao.workdays.selectors import deadline_for

if TYPE_CHECKING:
    from dudao.accounts.models import User
from dudao.supervision.services._base import MAX_DEPTH, TASK_FIELDS, S
from dudao.supervision.services._helpers import (
    _actor_scope,
    _bump,
    _in_subtree,
    _lock_task,
    _tell,
    _today,
)
from dudao.supervision.services.progress import _refresh_ancestors, _refresh_light_fields

# --- tasks -------------------------------------------------------------------------------------


def _leaders_own_instruction(actor: User, source: TaskSource) -> bool:
    """A leader creates and issues (top-level) tasks only from the 批示 the leader wrote."""
    return (
        source.kind == TaskSource.Kind.INSTRUCTION
        and source.created_by_id == actor.pk
        and actor.has_role(Role.LEADER)
    )


def _next_code(parent: SupervisionTask | None, year: int) -> str:
    if parent is not None:
        n = SupervisionTask.objects.filter(parent=parent).count() + 1
        while SupervisionTask.objects.filter(code=f"{parent.code}-{n:02d}").exists():
            n += 1
        return f"{parent.code}-{n:02d}"
    prefix = f"DC-{year}-"
    last = (
        SupervisionTask.objects.filter(code__startswith=prefix, parent__isnull=True)
        .aggregate(m=Max("code"))
        .get("m")
    )
    number = int(str(last)[len(prefix) : len(prefix) + 4]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _clean_weight(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        w = Decimal(str(value))
    except InvalidOperation:
        raise DomainError("权重必须是数字。", field="weight") from None
    if w <= 0:
        raise DomainError("权重必须大于 0。", field="weight")
    return w


def _check_child_lead(actor: User, parent: SupervisionTask, lead_org: Organisation | None) -> None:
    if lead_org is None:
        return
    if lead_org.pk == (parent.lead_org_id or 0):
        raise DomainError("下级任务的牵头单位不能与上级任务相同。", field="lead_org")
    issuer_side = actor.has_role(Role.SUPERVISOR) and parent.issuing_org.path.startswith(
        _actor_scope(actor)
    )
    if not issuer_side and not _in_subtree(lead_org, parent.lead_org):
        raise DomainError("只能分解给本单位的下级单位。", field="lead_org")


@transaction.atomic(durable=True)
def create_task(
    *,
    actor: User,
    source: TaskSource,
    title: str,
    parent: SupervisionTask | None = None,
    co_orgs: Iterable[Organisation] = (),
    milestones: Sequence[tuple[date, str, Decimal]] = (),
    issue: bool = False,
    **fields: Any,
) -> SupervisionTask:
    """Create a task as a draft (any clarity may still be missing) or, with `issue`, create and
    issue it (交办) in one transaction: a refused 交办 keeps no half-made draft. The page, the
    API and the import all call this one service."""
    return _create_task(
        actor=actor,
        source=source,
        title=title,
        parent=parent,
        co_orgs=co_orgs,
        milestones=milestones,
        issue=issue,
        **fields,
    )


def _create_task(  # noqa: PLR0912 - one rule per branch, each with its own message
    *,
    actor: User,
    source: TaskSource,
    title: str,
    parent: SupervisionTask | None = None,
    co_orgs: Iterable[Organisation] = (),
    milestones: Sequence[tuple[date, str, Decimal]] = (),
    issue: bool = False,
    **fields: Any,
) -> SupervisionTask:
    """`create_task` inside a caller's transaction (composition: the import of many tasks)."""
    from_own_instruction = _leaders_own_instruction(actor, source) and parent is None
    if not from_own_instruction:
        require_role(actor, Role.SUPERVISOR, Role.REVIEWER)
    unknown = set(fields) - set(TASK_FIELDS)
    if unknown:
        raise DomainError(f"不可设置的字段：{'、'.join(sorted(unknown))}")
    if not TaskSource.objects.visible_to(actor).filter(pk=source.pk).exists() and (
        parent is None or parent.source_id != source.pk
    ):
        raise DomainError("任务来源不存在或不在您的数据范围内。", field="source")
    visible_orgs = Organisation.objects.visible_to(actor)
    lead_org = fields.get("lead_org")
    if lead_org is not None and not visible_orgs.filter(pk=lead_org.pk).exists():
        raise DomainError("牵头单位不在您的数据范围内。", field="lead_org")
    depth = 1
    if parent is None:
        if not from_own_instruction:
            require_role(actor, Role.SUPERVISOR)
    else:
        parent = _lock_task(actor, parent)
        if parent.status in (S.DRAFT, S.CLOSED, S.APPLIED):
            raise InvalidTransition(
                f"上级任务处于“{parent.get_status_display()}”状态，不能分解。", field="parent"
            )
        if parent.depth >= MAX_DEPTH:
            raise DomainError(f"任务最多分解 {MAX_DEPTH} 级。", field="parent")
        if not (
            actor.has_role(Role.SUPERVISOR) or _in_subtree(actor.organisation, parent.lead_org)
        ):
            raise NotAllowed("只有交办单位或上级任务的牵头单位可以分解任务。")
        _check_child_lead(actor, parent, lead_org)
        depth = parent.depth + 1
        source = parent.source
    fields["weight"] = _clean_weight(fields.get("weight"))
    task = SupervisionTask(
        code=_next_code(parent, _today().year),
        source=source,
        parent=parent,
        depth=depth,
        title=title.strip(),
        issuing_org=actor.organisation,
        created_by=actor,
        **{
            k: v.strip() if isinstance(v, str) and k != "deadline_mode" else v
            for k, v in fields.items()
        },
    )
    if task.deadline is not None:
        check_date(task.deadline, label="完成时限", field="deadline")
    for due, _description, _expected in milestones:
        check_date(due, label="节点时间", field="milestones")
    co = [o for o in co_orgs if o.pk != task.lead_org_id]
    outside = [o for o in co if not visible_orgs.filter(pk=o.pk).exists()]
    if outside:
        raise DomainError(
            f"配合单位不在您的数据范围内：{'、'.join(o.name for o in outside)}。", field="co_orgs"
        )
    full_clean_or_raise(task)
    task.save()
    task.co_orgs.set(co)
    for due, description, expected in milestones:
        ms = TaskMilestone(task=task, due=due, description=description, expected_progress=expected)
        full_clean_or_raise(ms, exclude=["task"])
        ms.save()
    after = snapshot(task)
    after["co_orgs"] = [o.pk for o in co]
    record_event(actor=actor, action="supervision.task_create", obj=task, after=after)
    return _issue_task(actor=actor, task=task) if issue else task


@transaction.atomic(durable=True)
def update_task(
    *, actor: User, task: SupervisionTask, version: int | None = None, **changes: Any
) -> SupervisionTask:
    """Edit a draft (an issued task changes only through feedback, extension, close-out)."""
    require_role(actor, Role.SUPERVISOR, Role.REVIEWER)
    task = _lock_task(actor, task, version)
    if task.status != S.DRAFT:
        raise InvalidTransition("已交办的任务不能直接修改，请通过延期申请或退回办理。")
    if task.issuing_org_id != actor.organisation_id:
        raise NotAllowed("只有交办单位可以修改草稿。")
    unknown = set(changes) - set(TASK_FIELDS)
    if unknown:
        raise DomainError(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    if "lead_org" in changes and changes["lead_org"] is not None:
        if not Organisation.objects.visible_to(actor).filter(pk=changes["lead_org"].pk).exists():
            raise DomainError("牵头单位不在您的数据范围内。", field="lead_org")
        if task.parent is not None:
            _check_child_lead(actor, task.parent, changes["lead_org"])
    if "weight" in changes:
        changes["weight"] = _clean_weight(changes["weight"])
    before = snapshot(task)
    for key, value in changes.items():
        setattr(task, key, value.strip() if isinstance(value, str) else value)
    if task.deadline is not None and "deadline" in changes:
        check_date(task.deadline, label="完成时限", field="deadline")
    full_clean_or_raise(task)
    b, a = diff(before, snapshot(task))
    if not a:  # a no-op edit writes nothing: no version bump, no empty audit event
        return task
    _bump(task, list(changes))
    record_event(actor=actor, action="supervision.task_update", obj=task, before=b, after=a)
    return task


def missing_clarities(task: SupervisionTask) -> list[str]:
    """Which of the four clarities (四个明确) the task still lacks."""
    missing = []
    if task.lead_org_id is None:
        missing.append("责任主体（牵头单位）")
    if not task.content.strip():
        missing.append("工作任务")
    if not task.goal.strip():
        missing.append("工作目标")
    if task.deadline_mode == SupervisionTask.DeadlineMode.DATE and task.deadline is None:
        missing.append("完成时限")
    if task.deadline_mode != SupervisionTask.DeadlineMode.DATE and not task.deadline_amount:
        missing.append("完成时限")
    return missing


@transaction.atomic(durable=True)
def issue_task(
    *, actor: User, task: SupervisionTask, version: int | None = None
) -> SupervisionTask:
    """交办: check the four clarities, fix the deadline, start the clock, notify the unit."""
    return _issue_task(actor=actor, task=task, version=version)


def _issue_task(
    *, actor: User, task: SupervisionTask, version: int | None = None
) -> SupervisionTask:
    """`issue_task` inside a caller's transaction (create-and-issue, the import)."""
    if not (task.parent_id is None and _leaders_own_instruction(actor, task.source)):
        require_role(actor, Role.SUPERVISOR, Role.REVIEWER)
    task = _lock_task(actor, task, version)
    if task.status != S.DRAFT:
        raise InvalidTransition(f"任务已处于“{task.get_status_display()}”状态，不能重复交办。")
    if task.issuing_org_id != actor.organisation_id:
        raise NotAllowed("只有交办单位可以交办该任务。")
    missing = missing_clarities(task)
    if missing:
        raise DomainError(f"四个明确未落实，不能交办：缺少{'、'.join(missing)}。", details=missing)
    before = snapshot(task)
    today = _today()
    if task.deadline_mode == SupervisionTask.DeadlineMode.DATE and task.deadline is not None:
        if task.deadline < today:
            raise DomainError(
                f"完成时限 {format_day(task.deadline)} 已过，不能交办。", field="deadline"
            )
        task.deadline_provisional = False
        task.deadline_explanation = f"指定完成时限：{format_day(task.deadline)}。"
    else:
        result = deadline_for(today, task.deadline_amount or 0, task.deadline_mode)
        task.deadline = result.due
        task.deadline_provisional = result.provisional
        task.deadline_explanation = result.explanation
    parent = task.parent
    if parent is not None:
        if parent.status in (S.DRAFT, S.CLOSED, S.APPLIED):
            raise InvalidTransition(
                f"上级任务处于“{parent.get_status_display()}”状态，不能交办下级任务。"
            )
        if parent.deadline is not None and task.deadline > parent.deadline:
            raise DomainError(
                f"下级任务的完成时限（{format_day(task.deadline)}）不能晚于上级任务的完成时限"
                f"（{format_day(parent.deadline)}）。",
                field="deadline",
            )
    task.status = S.ASSIGNED
    task.assigned_on = today
    task.last_feedback_on = None
    _refresh_light_fields(task, today)
    _bump(
        task,
        [
            "status",
            "assigned_on",
            "deadline",
            "deadline_provisional",
            "deadline_explanation",
            "last_feedback_on",
            "light",
            "light_reasons",
            "light_on",
        ],
    )
    b, a = diff(before, snapshot(task))
    record_event(actor=actor, action="supervision.task_issue", obj=task, before=b, after=a)
    _refresh_ancestors(task)
    _tell(
        task,
        issuer=False,
        kind="assigned",
        title=f"新交办任务：{task.title}",
        body=f"{task.code}，完成时限 {format_day(task.deadline)}。",
    )
    return task
