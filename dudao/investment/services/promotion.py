"""A deal and the other modules: promotion into the project registry, stalled deals handed to
the problem ledger or the supervision task list, and the registry driving a promoted deal."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.bounds import check_date
from dudao.core.exceptions import DomainError, InvalidTransition
from dudao.core.policies import require_role
from dudao.core.snapshot import diff, snapshot
from dudao.core.versions import check_version
from dudao.investment import rules
from dudao.investment.models import (
    PIPELINE,
    STAGE_DATE_FIELD,
    Deal,
    Stage,
)
from dudao.investment.services._base import (
    PROMOTERS,
    A,
    _audit,
    _event,
    _lock,
    _require_worker,
    _save,
)
from dudao.investment.services.deals import (
    _previous_date,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User


# --- promotion into the project registry -------------------------------------------------------


PROMOTABLE = frozenset({Stage.APPROVED, Stage.STARTED})
PROJECT_STAGE: dict[str, str] = {Stage.APPROVED: "preparation", Stage.STARTED: "new"}


@transaction.atomic(durable=True)
def promote(
    *, actor: User, deal: Deal | int, version: int | None, category: Any, level: str
) -> Deal:
    """转入重大项目库: at 供地/立项 or 开工 the deal becomes a project of the registry through
    `projects.services._create_project` (same validation, same audit), prefilled from the deal;
    the link is kept both ways (Deal.project ↔ Project.investment_deal). Idempotent: a deal
    already promoted returns unchanged."""
    from dudao.projects import services as project_services

    require_role(actor, *PROMOTERS)
    locked = _lock(actor, deal, None)
    if locked.project_id is not None:
        return locked
    check_version(locked, version, what=f"招商项目（{locked.code}）")
    _require_worker(actor, locked)
    if locked.stage not in PROMOTABLE:
        raise InvalidTransition("只有处于“供地/立项”或“开工”阶段的招商项目可以转入重大项目库。")
    if locked.screening == Deal.Screening.FAILED:
        raise InvalidTransition("该项目未通过准入核查，须由督查员特批后才能转入重大项目库。")
    project = project_services._create_project(
        actor=actor,
        code=locked.project_code or None,
        name=locked.name,
        category=category,
        stage=PROJECT_STAGE[locked.stage],
        level=level,
        county=locked.county,
        build_nature="new",
        industry_code=locked.industry_code,
        builder_name=locked.investor[:100],
        builder_uscc=locked.uscc,
        total_investment=locked.contract_investment,
        responsible_unit=locked.responsible_org.name[:100],
        lead_leader=locked.leader,
        description=f"由招商项目 {locked.code} 转入",
    )
    before = snapshot(locked)
    locked.project = project
    _save(locked)
    _audit(actor, "deal.promote", locked, before)
    _event(
        locked, actor, A.PROMOTE, on=timezone.localdate(), before=locked.stage, note=project.name
    )
    return locked


# --- follow-up: hand a stalled deal to the problem ledger ---------------------------------------


@transaction.atomic(durable=True)
def send_to_ledger(
    *, actor: User, deal: Deal | int, category: Any, deadline: dt.date | None = None, note: str = ""
) -> Any:
    """A stalled deal becomes a problem of the ledger (问题台账) through the ledger's own
    `create_problem`, assigned to the deal's responsible unit."""
    from dudao.problems import services as problem_services

    require_role(actor, Role.SUPERVISOR, Role.REVIEWER)
    locked = _lock(actor, deal, None)
    if locked.is_terminated:
        raise InvalidTransition("已终止的招商项目不需要督办。")
    text = (
        note or ""
    ).strip() or f"招商项目“{locked.name}”推进停滞（当前阶段：{locked.stage_label()}）"
    problem = problem_services.create_problem(
        actor=actor,
        source="supervision",
        category=category,
        title=f"{locked.name}：推进停滞"[:120],
        description=text,
        responsible_org=locked.responsible_org,
        county=locked.county,
        project=locked.project,
        deadline=deadline,
        source_ref=f"investment.deal:{locked.pk}",
    )
    record_event(
        actor=actor,
        action="deal.send",
        obj=locked,
        organisation=locked.responsible_org,
        after={"problem": problem.code},
        reason=text,
    )
    _event(
        locked,
        actor,
        A.SEND,
        on=timezone.localdate(),
        before=locked.stage,
        note=f"转入问题台账 {problem.code}",
    )
    return problem


# --- follow-up: hand a stalled deal to the supervision task list ------------------------------

TASK_DEADLINE_DAYS = 30


@transaction.atomic(durable=True)
def send_to_supervision(
    *, actor: User, deal: Deal | int, deadline: dt.date | None = None, note: str = ""
) -> Any:
    """A stalled deal becomes an issued task of the supervision task list (督查督办) through the
    supervision module's own `_create_task` (交办 in the same transaction), led by the deal's
    responsible unit, with the stall light in its content. Idempotent: a deal already sent
    returns its task and creates nothing."""
    from dudao.investment.selectors import stall_rules
    from dudao.supervision import services as supervision

    require_role(actor, Role.SUPERVISOR)
    locked = _lock(actor, deal, None)
    if locked.supervision_task_id is not None:
        return locked.supervision_task
    if locked.is_terminated:
        raise InvalidTransition("已终止的招商项目不需要督办。")
    today = timezone.localdate()
    deadline = deadline or today + dt.timedelta(days=TASK_DEADLINE_DAYS)
    check_date(deadline, label="完成时限", field="deadline")
    if deadline < today:
        raise DomainError("完成时限不能早于今天。", field="deadline")
    stall = rules.stall_of(locked, stall_rules(), today)
    situation = f"当前阶段：{locked.stage_label()}"
    if stall.text:
        situation += f"，{stall.text}（{stall.light.label}）"
    note = (note or "").strip()
    if len(note) > 2000:
        raise DomainError("督办要求不能超过2000个字。", field="note")
    content = f"招商项目“{locked.name}”（{locked.code}）推进停滞，{situation}。"
    if note:
        content += f"督办要求：{note}"
    nxt = rules.next_stage(locked.stage)
    goal = (
        f"推动项目尽快进入“{Stage(nxt).label}”阶段，按期反馈推进情况。"
        if nxt
        else "推动项目稳定达产，按期反馈推进情况。"
    )
    source = supervision._create_source(
        actor=actor,
        kind="other",
        title=f"招商引资跟踪问效：{locked.name}"[:120],
        source_date=today,
        text=content,
        source_ref=f"investment.deal:{locked.pk}",
    )
    task = supervision._create_task(
        actor=actor,
        source=source,
        title=f"{locked.name}：推进停滞督办"[:120],
        content=content,
        goal=goal,
        lead_org=locked.responsible_org,
        responsible_person=(locked.leader or "")[:40],
        deadline=deadline,
        issue=True,
    )
    before = snapshot(locked)
    locked.supervision_task = task
    locked = _save(locked)
    _, changed_after = diff(before, snapshot(locked))
    record_event(
        actor=actor,
        action="deal.send_task",
        obj=locked,
        organisation=locked.responsible_org,
        after={**changed_after, "task": task.code},
        reason=content,
    )
    _event(locked, actor, A.SEND, on=today, before=locked.stage, note=f"移交督查督办 {task.code}")
    return task


# --- the registry drives a promoted deal --------------------------------------------------------

MILESTONE_STAGE: dict[str, str] = {
    "start": Stage.STARTED,
    "complete": Stage.COMPLETED,
    "produce": Stage.PRODUCING,
}


def follow_project_milestone(
    *, project_id: int, role: str, on: dt.date, actor: User | None
) -> Deal | None:
    """Inside the projects service's transaction (an approved report): the promoted deal goes
    forward to the stage of the report's milestone, each skipped stage dated the same day, with
    one timeline entry and one audit event. A terminated deal, or one already there, is left."""
    target = MILESTONE_STAGE.get(role)
    deal = (
        Deal.objects.select_for_update()
        .select_related("responsible_org")
        .filter(project_id=project_id)
        .first()
    )
    if target is None or deal is None or deal.is_terminated:
        return None
    current = rules.stage_index(deal.stage)
    if current >= rules.stage_index(target):
        return deal
    on = max(on, _previous_date(deal))
    before = snapshot(deal)
    from_stage = deal.stage
    for stage in PIPELINE[current + 1 : rules.stage_index(target) + 1]:
        setattr(deal, STAGE_DATE_FIELD[stage], on)
    deal.stage = target
    _save(deal)
    changed_before, changed_after = diff(before, snapshot(deal))
    record_event(
        actor=actor,
        action="deal.advance",
        obj=deal,
        organisation=deal.responsible_org,
        before=changed_before,
        after=changed_after,
        reason="重大项目月报审核通过",
    )
    _event(
        deal,
        actor,
        A.ADVANCE,
        on=on,
        before=from_stage,
        evidence="重大项目月报（已审核）",
        note="由重大项目库月报推进",
    )
    return deal
