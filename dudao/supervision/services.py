"""Every write of 督查督办: one transaction, a role check, one audit event per change.

The cycle: register a source → create a task (draft) → issue it (四个明确 checked, deadline
computed) → split it for sub-units → units post feedback on their cycle → apply for close-out
with evidence → the issuing office verifies (销号) or returns it; extensions are asked before
the deadline and approved or refused. Progress roll-ups and the task's light are refreshed in
the same transaction as the change that moves them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.exceptions import (
    DomainError,
    InvalidTransition,
    NotAllowed,
    full_clean_or_raise,
)
from dudao.core.policies import require_role
from dudao.core.snapshot import diff, snapshot
from dudao.core.uploads import clean_document
from dudao.core.versions import check_version
from dudao.orgs.models import Organisation
from dudao.supervision import notify
from dudao.supervision.evaluation import (
    ChildShare,
    MilestoneLike,
    WorkdayIndex,
    cycle_number,
    evaluate_task,
    rollup,
)
from dudao.supervision.models import (
    Attachment,
    LightRecord,
    LightRule,
    SupervisionTask,
    TaskExtension,
    TaskFeedback,
    TaskMilestone,
    TaskSource,
)
from dudao.supervision.rules import task_closed_on_time
from dudao.workdays.calendar import format_day
from dudao.workdays.selectors import deadline_for

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from dudao.accounts.models import User

S = SupervisionTask.Status
MAX_DEPTH = 4
MAX_FILES = 10
TASK_FIELDS = (
    "title",
    "content",
    "goal",
    "goal_project",
    "category",
    "lead_org",
    "responsible_person",
    "lead_leader",
    "deadline_mode",
    "deadline_amount",
    "deadline",
    "feedback_cycle",
    "urgency",
    "weight",
)


@dataclass(frozen=True)
class Upload:
    """A file as received (name and bytes), before `clean_document` checks it."""

    name: str
    data: bytes

    @classmethod
    def from_django(cls, f: UploadedFile) -> Upload:
        return cls(f.name or "file", f.read())


# --- helpers -----------------------------------------------------------------------------------


def _in_subtree(org: Organisation | None, root: Organisation | None) -> bool:
    return org is not None and root is not None and org.path.startswith(root.path)


def _actor_scope(actor: User) -> str:
    return actor.organisation.scope_path if actor.organisation_id else "\x00"


def _lock_task(actor: User, task: SupervisionTask, version: int | None = None) -> SupervisionTask:
    """Re-read the task in the actor's scope, locked; refuse a stale version (409)."""
    locked = (
        SupervisionTask.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("lead_org", "issuing_org", "parent")
        .filter(pk=task.pk)
        .first()
    )
    if locked is None:
        raise NotAllowed("任务不存在或不在您的数据范围内。")
    check_version(locked, version, what="任务")
    return locked


def _bump(task: SupervisionTask, fields: list[str]) -> None:
    task.version = F("version") + 1
    task.updated_at = timezone.now()
    task.save(update_fields=[*fields, "version", "updated_at"])
    task.refresh_from_db()


def _save_files(
    actor: User,
    files: Sequence[Upload],
    *,
    organisation: Organisation,
    source: TaskSource | None = None,
    feedback: TaskFeedback | None = None,
) -> list[Attachment]:
    """Check every file first (nothing is written if one is refused), then store them."""
    if len(files) > MAX_FILES:
        raise DomainError(f"一次最多上传 {MAX_FILES} 个文件。", field="files")
    cleaned = [clean_document(f.data, f.name) for f in files]
    stored = []
    for c in cleaned:
        digest = hashlib.sha256(c.content).hexdigest()
        att = Attachment(
            source=source,
            feedback=feedback,
            organisation=organisation,
            name=c.name,
            content_type=c.content_type,
            size=len(c.content),
            sha256=digest,
            uploaded_by=actor,
        )
        att.file.save(c.name, ContentFile(c.content), save=False)
        att.save()
        stored.append(att)
    return stored


def _today() -> date:
    return timezone.localdate()


def task_url(task: SupervisionTask) -> str:
    return reverse("supervision:task_detail", kwargs={"pk": task.pk})


def _tell(task: SupervisionTask, *, issuer: bool, kind: str, title: str, body: str) -> None:
    """Notify the issuing office (督查员/审核员) or the lead unit (填报员/审核员) of a step."""
    unit, roles = (
        (task.issuing_org, notify.ISSUER_ROLES)
        if issuer
        else (task.lead_org, notify.RESPONSIBLE_ROLES)
    )
    notify.to_units([unit], kind=kind, title=title, body=body, url=task_url(task), roles=roles)


def can_verify(actor: User, task: SupervisionTask) -> bool:
    """The issuing office (in the actor's scope) verifies; never the responsible unit itself."""
    if not actor.is_active or not actor.has_role(Role.SUPERVISOR, Role.REVIEWER):
        return False
    if not task.issuing_org.path.startswith(_actor_scope(actor)):
        return False
    return not _in_subtree(actor.organisation, task.lead_org)


def _require_verifier(actor: User, task: SupervisionTask) -> None:
    require_role(actor, Role.SUPERVISOR, Role.REVIEWER)
    if _in_subtree(actor.organisation, task.lead_org):
        raise NotAllowed("核查不能由责任单位自己完成，须由交办单位核查。")
    if not can_verify(actor, task):
        raise NotAllowed("只有交办单位可以审批或核查该任务。")


def _require_responsible(actor: User, task: SupervisionTask) -> None:
    require_role(actor, Role.REPORTER, Role.REVIEWER)
    if task.lead_org is None or not task.lead_org.path.startswith(_actor_scope(actor)):
        raise NotAllowed("只有责任单位可以填报该任务。")


# --- sources -----------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def create_source(
    *,
    actor: User,
    kind: str,
    title: str,
    source_date: date,
    doc_number: str = "",
    leader_name: str = "",
    text: str = "",
    source_ref: str = "",
    files: Sequence[Upload] = (),
) -> TaskSource:
    """Register a meeting, document, 批示 or inspection finding, with attachments."""
    return _create_source(
        actor=actor,
        kind=kind,
        title=title,
        source_date=source_date,
        doc_number=doc_number,
        leader_name=leader_name,
        text=text,
        source_ref=source_ref,
        files=files,
    )


def _create_source(
    *,
    actor: User,
    kind: str,
    title: str,
    source_date: date,
    doc_number: str = "",
    leader_name: str = "",
    text: str = "",
    source_ref: str = "",
    files: Sequence[Upload] = (),
) -> TaskSource:
    """`create_source` inside a caller's transaction (the import)."""
    require_role(actor, Role.SUPERVISOR, Role.REVIEWER)
    source = TaskSource(
        kind=kind,
        title=title.strip(),
        source_date=source_date,
        doc_number=doc_number.strip(),
        leader_name=leader_name.strip(),
        text=text.strip(),
        source_ref=source_ref.strip(),
        issuing_org=actor.organisation,
        created_by=actor,
    )
    full_clean_or_raise(source)
    if kind == TaskSource.Kind.DOCUMENT and not source.doc_number:
        raise DomainError("文件来源必须填写文号。", field="doc_number")
    if kind == TaskSource.Kind.INSTRUCTION and not (source.leader_name and source.text):
        raise DomainError("领导批示必须填写批示领导和批示内容。", field="leader_name")
    source.save()
    _save_files(actor, files, organisation=actor.organisation, source=source)
    after = snapshot(source)
    after["attachments"] = [f.name for f in files]
    record_event(actor=actor, action="supervision.source_create", obj=source, after=after)
    return source


# --- tasks -------------------------------------------------------------------------------------


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


def _create_task(
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
    full_clean_or_raise(task)
    task.save()
    co = [o for o in co_orgs if visible_orgs.filter(pk=o.pk).exists() and o.pk != task.lead_org_id]
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
    full_clean_or_raise(task)
    _bump(task, list(changes))
    b, a = diff(before, snapshot(task))
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


# --- progress and lights -----------------------------------------------------------------------


def _rules() -> list[LightRule]:
    return list(LightRule.objects.filter(subject="task", is_active=True))


def _refresh_light_fields(task: SupervisionTask, today: date) -> None:
    """Set the task's light from the rules (no save); closed tasks are green."""
    if task.status == S.CLOSED or task.deadline is None:
        task.light, task.light_reasons, task.light_on = "green", [], today
        return
    index = WorkdayIndex.around(today, [task.deadline])
    milestones = (
        [MilestoneLike(m.due, m.expected_progress) for m in task.milestones.all()]
        if task.pk
        else []
    )
    result = evaluate_task(task, _rules(), today, index, milestones)
    task.light, task.light_reasons, task.light_on = result.light.value, result.reasons(), today
    if task.pk and task.assigned_on is not None:
        record_light(task, today)


def record_light(task: SupervisionTask, today: date) -> None:
    """Keep the cycle's light history: the worst light seen in the current feedback cycle."""
    from dudao.core.lights import Light

    cycle = cycle_number(task, today)
    record = LightRecord.objects.filter(task=task, cycle_no=cycle).first()
    light = Light(task.light)
    if record is None:
        LightRecord.objects.create(
            task=task,
            cycle_no=cycle,
            light=light.value,
            first_on=today,
            evaluated_on=today,
            reasons=task.light_reasons,
        )
    else:
        record.evaluated_on = today
        if light.severity > Light(record.light).severity:
            record.light, record.reasons = light.value, task.light_reasons
        record.save(update_fields=["light", "reasons", "evaluated_on"])


def children_shares(task: SupervisionTask) -> list[ChildShare]:
    children = task.children.exclude(status=S.DRAFT).order_by("code")
    return [
        ChildShare(
            c.pk, c.code, c.title, Decimal(100) if c.status == S.CLOSED else c.progress, c.weight
        )
        for c in children
    ]


def _recompute_progress(task: SupervisionTask) -> None:
    """Leaf: the reported %; parent: the weighted roll-up of its issued children."""
    shares = children_shares(task)
    if task.status == S.CLOSED:
        task.progress, task.progress_basis = Decimal(100), {"method": "closed", "note": "已销号。"}
    elif shares:
        task.progress, task.progress_basis = rollup(shares)
    else:
        task.progress = task.reported_progress
        task.progress_basis = {"method": "reported", "note": "责任单位填报的进度。"}


def _refresh_ancestors(task: SupervisionTask) -> None:
    """Keep every ancestor's roll-up (and light) fresh after a child changed."""
    today = _today()
    parent_id = task.parent_id
    while parent_id is not None:
        parent = SupervisionTask.objects.select_for_update().get(pk=parent_id)
        _recompute_progress(parent)
        _refresh_light_fields(parent, today)
        parent.save(
            update_fields=["progress", "progress_basis", "light", "light_reasons", "light_on"]
        )
        parent_id = parent.parent_id


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


# --- configuration (thresholds are data) -------------------------------------------------------


@transaction.atomic(durable=True)
def update_light_rule(
    *, actor: User, rule: LightRule, version: int | None = None, **changes: Any
) -> LightRule:
    """督查员 edits a rule's thresholds; takes effect at the next computation."""
    require_role(actor, Role.SUPERVISOR)
    rule = LightRule.objects.select_for_update().get(pk=rule.pk)
    check_version(rule, version, what="规则")
    allowed = {"label", "yellow_from", "red_from", "grey_from", "is_active"}
    if set(changes) - allowed:
        raise DomainError("不可修改的字段。")
    before = snapshot(rule)
    for key, value in changes.items():
        setattr(rule, key, value)
    full_clean_or_raise(rule)
    rule.version = F("version") + 1
    rule.save()
    rule.refresh_from_db()
    b, a = diff(before, snapshot(rule))
    record_event(
        actor=actor,
        action="supervision.rule_update",
        obj=rule,
        organisation=actor.organisation,
        before=b,
        after=a,
    )
    return rule
