"""问题台账 writes (`dudao.problems.services`): the workflow."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.exceptions import (
    DomainError,
    InvalidTransition,
    NotAllowed,
)
from dudao.core.policies import require_role
from dudao.core.snapshot import diff, snapshot
from dudao.problems import rules
from dudao.problems.models import Problem, ProblemEvidence

if TYPE_CHECKING:
    from dudao.accounts.models import User
from dudao.problems.services._base import (
    FIXER_ROLES,
    NOTE_LABELS,
    REOPEN_ROLES,
    TRANSITIONS,
    VERIFIER_ROLES,
    A,
    S,
    Transition,
)
from dudao.problems.services._helpers import (
    _actor_org,
    _check_deadline,
    _event,
    _lock,
    _save,
    is_fixer,
    verifier_refusal,
)
from dudao.problems.services.lights import refresh_light

# --- the workflow -------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def transition(
    *,
    actor: User,
    problem: Problem | int,
    action: str,
    version: int | None = None,
    note: str = "",
    deadline: dt.date | None = None,
) -> Problem:
    """Take one workflow step (see the module docstring). `deadline` is the new time limit of
    a reopened problem."""
    step = TRANSITIONS.get(action)
    if step is None:
        raise DomainError(f"未知的操作：{action}", field="action")
    if step.side == "fixer":
        require_role(actor, *FIXER_ROLES)
    elif step.side == "verifier":
        require_role(actor, *VERIFIER_ROLES)
    else:
        require_role(actor, *REOPEN_ROLES)
    locked = _lock(actor, problem, version)
    if locked.status not in step.sources:
        sources = "、".join(S(s).label for s in sorted(step.sources))
        raise InvalidTransition(
            f"问题当前为“{locked.get_status_display()}”，不能“{step.label}”"
            f"（只有“{sources}”状态的问题可以）。"
        )
    _check_side(actor, locked, step)
    note = note.strip()
    if step.needs_note and not note:
        raise DomainError(NOTE_LABELS[step.action], field="note")
    before = snapshot(locked)
    from_status = locked.status
    now = timezone.now()
    _apply(locked, step, actor, now, deadline)
    locked.status = step.target
    _save(locked)
    refresh_light(locked, timezone.localdate(now))
    changed_before, changed_after = diff(before, snapshot(locked))
    record_event(
        actor=actor,
        action=f"problem.{step.action}",
        obj=locked,
        organisation=locked.responsible_org,
        before=changed_before,
        after=changed_after,
        reason=note,
    )
    _event(locked, actor, step.action, note=note, before=from_status)
    return locked


def _check_side(actor: User, problem: Problem, step: Transition) -> None:
    if step.side == "fixer" and not is_fixer(actor, problem):
        raise NotAllowed(
            f"只有责任单位“{problem.responsible_org.name}”（或其上级）的填报员、审核员"
            f"可以“{step.label}”。"
        )
    if step.side == "verifier":
        refusal = verifier_refusal(actor, problem)
        if refusal:
            raise NotAllowed(refusal)


def _apply(
    problem: Problem, step: Transition, actor: User, now: dt.datetime, deadline: dt.date | None
) -> None:
    """The field changes of one step (status itself is set by the caller)."""
    org = _actor_org(actor)
    if step.action == A.APPLY:
        if not problem.evidence.filter(stage=ProblemEvidence.Stage.AFTER).exists():
            raise DomainError("申请销号前请至少上传一份整改后的照片或佐证文件。", field="evidence")
        problem.fixing_org = org
        problem.applied_at = now
        problem.verifier_org = None
        problem.verified_by = None
    elif step.action in (A.VERIFY, A.CLOSE):
        problem.verifier_org = org
        problem.verified_by = actor
        if step.action == A.CLOSE:
            closed_on = timezone.localdate(now)
            late = rules.lateness(problem.deadline, closed_on, problem.deadline_unit)
            problem.closed_at = now
            problem.days_late = late
            problem.closed_on_time = late == 0
    elif step.action == A.RETURN:
        problem.return_count += 1
        problem.verifier_org = None
        problem.verified_by = None
    elif step.action == A.REOPEN:
        if deadline is None:
            raise DomainError("重新打开时请给出新的整改时限。", field="deadline")
        _check_deadline(deadline, timezone.localdate(now))
        problem.deadline = deadline
        problem.deadline_provisional = False  # a date given by hand is firm
        problem.deadline_start = problem.deadline_amount = None
        problem.reopen_count += 1
        problem.closed_at = None
        problem.closed_on_time = None
        problem.days_late = None
        problem.verifier_org = None
        problem.verified_by = None
        problem.fixing_org = None
        problem.applied_at = None
