"""Enterprise service (万人助万企) writes: visits and demands (set-up: services/liaison.py).

Who does what:
- 督查员 (in the enterprise's scope) assigns liaison officers, edits the SLA table, reroutes a
  demand and escalates one to the problem ledger;
- the assigned officer logs visits (with the demands raised in the same transaction), raises
  and reroutes demands, and confirms or reopens on the enterprise's behalf (flagged);
- the responsible department (its own staff) accepts, returns or answers;
- the enterprise's own account (企业 role) raises demands, confirms and rates, or reopens.
Every change writes its audit event and a DemandEvent in the same transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError, InvalidTransition, NotAllowed, full_clean_or_raise
from dudao.core.policies import require_role
from dudao.core.roles import BUSINESS_ROLES, Role
from dudao.core.snapshot import snapshot
from dudao.core.uploads import clean_photo
from dudao.core.versions import check_version
from dudao.enterprises.models import (
    Demand,
    DemandCategory,
    DemandEvent,
    DemandSlaRule,
    Enterprise,
    EnterpriseAccount,
    LiaisonAssignment,
    Visit,
    VisitPhoto,
)
from dudao.orgs.models import Organisation
from dudao.orgs.rules import display_name
from dudao.workdays.selectors import deadline_for

if TYPE_CHECKING:
    from dudao.accounts.models import User

S = Demand.Status
A = DemandEvent.Action
MAX_PHOTOS = 9


# --- helpers ---------------------------------------------------------------------------------


def is_enterprise_account(actor: User) -> bool:
    return actor.has_role(Role.ENTERPRISE)


def bound_enterprise_id(actor: User) -> int | None:
    """The enterprise an account of the 企业 role acts for (None for anybody else)."""
    if not is_enterprise_account(actor):
        return None
    return (
        EnterpriseAccount.objects.filter(user=actor).values_list("enterprise_id", flat=True).first()
    )


def is_officer_of(actor: User, enterprise_id: int, on: dt.date | None = None) -> bool:
    """True when `actor` is an officer of the enterprise on `on` (today by default)."""
    day = on or timezone.localdate()
    return (
        LiaisonAssignment.objects.filter(
            enterprise_id=enterprise_id, officer=actor, valid_from__lte=day
        )
        .exclude(valid_to__lt=day)
        .exists()
    )


def in_scope(actor: User, enterprise_id: int) -> bool:
    return Enterprise.objects.visible_to(actor).filter(pk=enterprise_id).exists()


def is_department_staff(actor: User, demand: Demand) -> bool:
    """True for a working account (not 领导 or 评委 only) of the responsible department or a
    unit under it."""
    org = actor.organisation
    return (
        actor.has_role(Role.REPORTER, Role.REVIEWER, Role.SUPERVISOR)
        and org is not None
        and org.path.startswith(demand.department.path)
    )


def sla_workdays(category: str) -> int:
    rule = DemandSlaRule.objects.filter(category=category).first()
    if rule is None:
        raise DomainError("该诉求类别尚未设置办理时限，请联系督查员。", field="category")
    return rule.workdays


def _unit(actor: User) -> str:
    return display_name(actor.organisation)[:120]


def _event(
    demand: Demand, actor: User, action: str, *, before: str = "", note: str = ""
) -> DemandEvent:
    return DemandEvent.objects.create(
        demand=demand,
        action=action,
        actor=actor,
        actor_unit=_unit(actor),
        status_before=before,
        status_after=demand.status,
        note=note[:1000],
    )


def _audit(actor: User, action: str, demand: Demand, before: dict[str, Any] | None = None) -> None:
    record_event(
        actor=actor,
        action=f"enterprises.demand.{action}",
        obj=demand,
        organisation=demand.organisation,
        before=before,
        after=snapshot(demand),
    )


def _check_department(department: Organisation | None) -> Organisation:
    if department is None or not department.is_active:
        raise DomainError("请选择责任部门。", field="department")
    return department


def _route(demand: Demand, department: Organisation, today: dt.date) -> None:
    """Send `demand` to `department`: its SLA counts in workdays from today."""
    deadline = deadline_for(today, demand.sla_workdays, "workday")
    demand.department = department
    demand.routed_on = today
    demand.due_on = deadline.due
    demand.due_provisional = deadline.provisional


def _lock(actor: User, demand: Demand | int, version: int | None) -> Demand:
    pk = demand.pk if isinstance(demand, Demand) else demand
    locked = (
        Demand.objects.select_for_update()
        .select_related("department", "organisation", "enterprise")
        .filter(pk=pk)
        .first()
    )
    if locked is None or not can_see(actor, locked):
        raise DomainError("诉求不存在或不在您的数据范围内。")
    check_version(locked, version, what="诉求")
    return locked


def can_see(actor: User, demand: Demand) -> bool:
    if is_enterprise_account(actor):
        return bound_enterprise_id(actor) == demand.enterprise_id
    if not actor.has_business_role or actor.organisation is None:
        return False
    scope = actor.organisation.scope_path
    return (
        demand.organisation.path.startswith(scope)
        or demand.department.path.startswith(scope)
        or is_officer_of(actor, demand.enterprise_id)
    )


def _save(demand: Demand) -> None:
    demand.version += 1
    demand.updated_at = timezone.now()
    full_clean_or_raise(demand, validate_unique=False)
    demand.save()


# --- demands -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemandInput:
    category: str
    title: str
    content: str
    department: Organisation | None


def _raise(
    actor: User,
    enterprise: Enterprise,
    data: DemandInput,
    *,
    source: str,
    visit: Visit | None,
    today: dt.date,
) -> Demand:
    if data.category not in DemandCategory.values:
        raise DomainError("请选择诉求类别。", field="category")
    if not data.title.strip():
        raise DomainError("请填写诉求事项。", field="title")
    if not data.content.strip():
        raise DomainError("请填写诉求内容。", field="content")
    demand = Demand(
        code=f"tmp-{uuid.uuid4().hex[:12]}",
        enterprise=enterprise,
        organisation=enterprise.organisation,
        visit=visit,
        source=source,
        raised_by=actor,
        raised_on=today,
        category=data.category,
        title=data.title.strip()[:120],
        content=data.content.strip(),
        sla_workdays=sla_workdays(data.category),
    )
    _route(demand, _check_department(data.department), today)
    full_clean_or_raise(demand, validate_unique=False)
    demand.save()
    demand.code = f"QS{today.year}-{demand.pk:06d}"
    demand.save(update_fields=["code"])
    flag = "（期限暂定：该年度节假日安排未发布）" if demand.due_provisional else ""
    _event(
        demand,
        actor,
        A.RAISE,
        note=f"{demand.get_source_display()}提出，交{display_name(demand.department)}办理，"
        f"{demand.sla_workdays}个工作日内答复（{demand.due_on:%Y-%m-%d}前）{flag}",
    )
    _audit(actor, "raise", demand)
    return demand


@transaction.atomic(durable=True)
def raise_demand(
    *, actor: User, enterprise: Enterprise, data: DemandInput, today: dt.date | None = None
) -> Demand:
    """A demand raised by the enterprise's own account or by its officer, routed at once to
    the responsible department with the category's SLA in workdays."""
    day = today or timezone.localdate()
    if is_enterprise_account(actor):
        if bound_enterprise_id(actor) != enterprise.pk:
            raise DomainError("企业不存在或不在您的数据范围内。")
        source = Demand.Source.ENTERPRISE
    else:
        require_role(actor, *BUSINESS_ROLES)
        if not is_officer_of(actor, enterprise.pk, day):
            raise NotAllowed("只有该企业的联企干部可以代企业提出诉求。")
        source = Demand.Source.OFFICER
    return _raise(actor, enterprise, data, source=source, visit=None, today=day)


@dataclass(frozen=True)
class PhotoInput:
    data: bytes
    name: str


@transaction.atomic(durable=True)
def log_visit(
    *,
    actor: User,
    enterprise: Enterprise,
    visited_on: dt.date,
    people_met: str,
    notes: str = "",
    photos: Sequence[PhotoInput] = (),
    demands: Sequence[DemandInput] = (),
) -> Visit:
    """Record a visit of the enterprise's officer, with its photos and the demands raised
    during it (all or nothing)."""
    require_role(actor, *BUSINESS_ROLES)
    today = timezone.localdate()
    if visited_on > today:
        raise DomainError("走访日期不能晚于今天。", field="visited_on")
    if not is_officer_of(actor, enterprise.pk, visited_on) and not is_officer_of(
        actor, enterprise.pk, today
    ):
        raise NotAllowed("只有该企业的联企干部可以登记走访。")
    if not people_met.strip():
        raise DomainError("请填写会见人员。", field="people_met")
    if len(photos) > MAX_PHOTOS:
        raise DomainError(f"每次走访最多上传{MAX_PHOTOS}张照片。", field="photos")
    if actor.organisation is None:  # pragma: no cover - every account has one
        raise DomainError("账户没有所属单位。")
    visit = Visit(
        enterprise=enterprise,
        officer=actor,
        officer_unit=actor.organisation,
        visited_on=visited_on,
        people_met=people_met.strip()[:200],
        notes=notes.strip(),
    )
    full_clean_or_raise(visit)
    visit.save()
    stored: list[str] = []
    try:
        for photo in photos:
            clean = clean_photo(photo.data, photo.name)
            name = default_storage.save(
                f"enterprises/visits/{today:%Y/%m}/{uuid.uuid4().hex}.jpg",
                ContentFile(clean.content),
            )
            stored.append(name)
            VisitPhoto.objects.create(
                visit=visit, file=name, original_name=clean.name, size=len(clean.content)
            )
        raised = [
            _raise(actor, enterprise, d, source=Demand.Source.OFFICER, visit=visit, today=today)
            for d in demands
        ]
        record_event(
            actor=actor,
            action="enterprises.visit.create",
            obj=visit,
            organisation=enterprise.organisation,
            after={
                **snapshot(visit),
                "photos": len(stored),
                "demands": [d.code for d in raised],
            },
        )
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return visit


@transaction.atomic(durable=True)
def accept_demand(*, actor: User, demand: Demand | int, version: int | None = None) -> Demand:
    """The responsible department takes the demand on (待受理 → 办理中)."""
    locked = _lock(actor, demand, version)
    if not is_department_staff(actor, locked):
        raise NotAllowed("只有责任部门可以受理该诉求。")
    if locked.status != S.PENDING:
        raise InvalidTransition(f"诉求当前为“{locked.get_status_display()}”，不能受理。")
    before = snapshot(locked)
    locked.status = S.IN_PROGRESS
    _save(locked)
    _event(locked, actor, A.ACCEPT, before=S.PENDING)
    _audit(actor, "accept", locked, before)
    return locked


@transaction.atomic(durable=True)
def return_demand(
    *, actor: User, demand: Demand | int, reason: str, version: int | None = None
) -> Demand:
    """The department sends the demand back (not its responsibility), with the reason."""
    locked = _lock(actor, demand, version)
    if not is_department_staff(actor, locked):
        raise NotAllowed("只有责任部门可以退回该诉求。")
    if locked.status not in Demand.OPEN:
        raise InvalidTransition(f"诉求当前为“{locked.get_status_display()}”，不能退回。")
    if not reason.strip():
        raise DomainError("请填写退回理由。", field="reason")
    before_status = locked.status
    before = snapshot(locked)
    locked.status = S.RETURNED
    locked.return_reason = reason.strip()[:500]
    _save(locked)
    _event(locked, actor, A.RETURN, before=before_status, note=locked.return_reason)
    _audit(actor, "return", locked, before)
    return locked


@transaction.atomic(durable=True)
def reroute_demand(
    *,
    actor: User,
    demand: Demand | int,
    department: Organisation | None,
    version: int | None = None,
    note: str = "",
) -> Demand:
    """Send the demand to another department (督查员 in scope, or the enterprise's officer);
    the SLA starts again from today."""
    locked = _lock(actor, demand, version)
    officer = is_officer_of(actor, locked.enterprise_id)
    supervisor = actor.has_role(Role.SUPERVISOR) and in_scope(actor, locked.enterprise_id)
    if not (officer or supervisor):
        raise NotAllowed("只有督查员或该企业的联企干部可以改派诉求。")
    if locked.status not in (S.PENDING, S.IN_PROGRESS, S.RETURNED):
        raise InvalidTransition(f"诉求当前为“{locked.get_status_display()}”，不能改派。")
    target = _check_department(department)
    before_status = locked.status
    before = snapshot(locked)
    _route(locked, target, timezone.localdate())
    locked.status = S.PENDING
    locked.return_reason = ""
    _save(locked)
    _event(
        locked,
        actor,
        A.REASSIGN,
        before=before_status,
        note=f"改派{display_name(target)}，{locked.due_on:%Y-%m-%d}前答复。{note.strip()}",
    )
    _audit(actor, "reroute", locked, before)
    return locked


@transaction.atomic(durable=True)
def answer_demand(
    *,
    actor: User,
    demand: Demand | int,
    answer: str,
    version: int | None = None,
    today: dt.date | None = None,
) -> Demand:
    """The department's answer (待受理/办理中 → 已答复); on time when given by the due date."""
    day = today or timezone.localdate()
    locked = _lock(actor, demand, version)
    if not is_department_staff(actor, locked):
        raise NotAllowed("只有责任部门可以答复该诉求。")
    if locked.status not in Demand.OPEN:
        raise InvalidTransition(f"诉求当前为“{locked.get_status_display()}”，不能答复。")
    if not answer.strip():
        raise DomainError("请填写答复意见。", field="answer")
    before_status = locked.status
    before = snapshot(locked)
    locked.status = S.ANSWERED
    locked.answer = answer.strip()
    locked.answered_by = actor
    locked.answered_on = day
    # A reopened demand keeps the first verdict false once any answer was late.
    on_time = day <= locked.due_on
    locked.answered_on_time = (
        on_time if locked.answered_on_time is None else (locked.answered_on_time and on_time)
    )
    _save(locked)
    _event(
        locked,
        actor,
        A.ANSWER,
        before=before_status,
        note=("按期答复" if on_time else "逾期答复") + "：" + locked.answer[:900],
    )
    _audit(actor, "answer", locked, before)
    return locked


def _confirming_side(actor: User, demand: Demand) -> bool:
    """True when the enterprise confirms itself, False for its officer on its behalf."""
    if is_enterprise_account(actor):
        if bound_enterprise_id(actor) != demand.enterprise_id:
            raise DomainError("诉求不存在或不在您的数据范围内。")
        return True
    if is_officer_of(actor, demand.enterprise_id):
        return False
    raise NotAllowed("只有企业本身或其联企干部（代为确认）可以确认办结。")


@transaction.atomic(durable=True)
def confirm_demand(
    *,
    actor: User,
    demand: Demand | int,
    satisfaction: int,
    comment: str = "",
    version: int | None = None,
) -> Demand:
    """The enterprise (or its officer on its behalf, flagged) confirms the answer and rates
    it 1–5: 已答复 → 已办结."""
    locked = _lock(actor, demand, version)
    itself = _confirming_side(actor, locked)
    if locked.status != S.ANSWERED:
        raise InvalidTransition(f"诉求当前为“{locked.get_status_display()}”，不能确认办结。")
    if not isinstance(satisfaction, int) or not 1 <= satisfaction <= 5:
        raise DomainError("请选择满意度（1–5分）。", field="satisfaction")
    before = snapshot(locked)
    locked.status = S.CLOSED
    locked.confirmed_by = actor
    locked.confirmed_on = timezone.localdate()
    locked.confirmed_on_behalf = not itself
    locked.satisfaction = satisfaction
    locked.satisfaction_comment = comment.strip()[:500]
    _save(locked)
    who = "企业确认" if itself else "联企干部代企业确认"
    _event(
        locked,
        actor,
        A.CONFIRM,
        before=S.ANSWERED,
        note=f"{who}，满意度{satisfaction}分。{locked.satisfaction_comment}",
    )
    _audit(actor, "confirm", locked, before)
    return locked


@transaction.atomic(durable=True)
def reopen_demand(
    *, actor: User, demand: Demand | int, reason: str, version: int | None = None
) -> Demand:
    """Not solved: the enterprise (or its officer) sends the answered or closed demand back to
    the department (→ 办理中); counted, and the SLA starts again from today."""
    locked = _lock(actor, demand, version)
    itself = _confirming_side(actor, locked)
    if locked.status not in (S.ANSWERED, S.CLOSED):
        raise InvalidTransition(f"诉求当前为“{locked.get_status_display()}”，不能重新办理。")
    if not reason.strip():
        raise DomainError("请说明需要重新办理的原因。", field="reason")
    before_status = locked.status
    before = snapshot(locked)
    _route(locked, locked.department, timezone.localdate())
    locked.status = S.IN_PROGRESS
    locked.reopen_count += 1
    locked.confirmed_by = None
    locked.confirmed_on = None
    locked.confirmed_on_behalf = False
    locked.satisfaction = None
    locked.satisfaction_comment = ""
    _save(locked)
    who = "企业" if itself else "联企干部代企业"
    _event(
        locked,
        actor,
        A.REOPEN,
        before=before_status,
        note=f"{who}要求重新办理（第{locked.reopen_count}次）：{reason.strip()[:800]}",
    )
    _audit(actor, "reopen", locked, before)
    return locked
