"""问题台账 writes (`dudao.problems.services`): helpers."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import F
from django.http import Http404
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.core.bounds import check_date
from dudao.core.exceptions import (
    DomainError,
)
from dudao.core.versions import check_version
from dudao.parks.selectors import park_in_scope
from dudao.problems import rules
from dudao.problems.models import Problem, ProblemCategory, ProblemEvent

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.orgs.models import Organisation
    from dudao.parks.models import Park
from dudao.problems.services._base import (
    FIXER_ROLES,
    REOPEN_ROLES,
    TRANSITIONS,
    VERIFIER_ROLES,
    Transition,
)

# --- helpers -----------------------------------------------------------------------------------


def next_problem_code(year: int) -> str:
    """WT2026-00001, WT2026-00002 … (numbered per year; called under the write lock)."""
    prefix = f"WT{year}-"
    last = (
        Problem.objects.filter(code__startswith=prefix)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:05d}"


def default_deadline(category: ProblemCategory, start: dt.date) -> dt.date:
    """The category's time limit (SLA) from `start`, in 工作日 or 自然日 as the category says."""
    return rules.default_deadline(category.sla_unit, category.sla_days, start)


def county_of(org: Organisation) -> Organisation | None:
    """The county (县（市、区）政府) that `org` is or lies under, if any (one query)."""
    from dudao.orgs.models import Organisation

    segments = org.path.split(".")[:-1]
    prefixes = [".".join(segments[:n]) + "." for n in range(1, len(segments) + 1)]
    return (
        Organisation.objects.filter(path__in=prefixes, kind=Organisation.Kind.COUNTY_GOV)
        .order_by("-depth")
        .first()
    )


def _actor_org(actor: User) -> Organisation:
    if actor.organisation is None:
        raise DomainError("您的账户未归属任何单位，不能办理问题。")
    return actor.organisation


def _in_scope(actor: User, org: Organisation) -> bool:
    """True when `org` lies in the actor's data scope."""
    return org.path.startswith(_actor_org(actor).scope_path)


def _check_org_in_scope(actor: User, org: Organisation | None, field: str, label: str) -> None:
    if org is None:
        return
    if not org.is_active:
        raise DomainError(f"{label}“{org.name}”已停用。", field=field)
    if not _in_scope(actor, org):
        raise DomainError(f"{label}“{org.name}”不在您的数据范围内。", field=field)


def _check_park_in_scope(actor: User, park: Park | None) -> None:
    """A problem may be linked only to a park in the actor's scope (`dudao.parks.selectors`)."""
    if park is not None and park_in_scope(actor, park.pk) is None:
        raise DomainError("关联园区不在您的数据范围内。", field="park")


def _check_deadline(deadline: dt.date | None, today: dt.date) -> None:
    if deadline is None:
        raise DomainError("整改时限不能为空。", field="deadline")
    check_date(deadline, label="整改时限", field="deadline")
    if deadline < today:
        raise DomainError(
            f"整改时限（{deadline:%Y-%m-%d}）不能早于今天（{today:%Y-%m-%d}）。", field="deadline"
        )


def _lock(actor: User, problem: Problem | int, version: int | None) -> Problem:
    """Re-read the problem in the actor's scope with a row lock; refuse a stale version."""
    pk = problem.pk if isinstance(problem, Problem) else problem
    locked = Problem.objects.visible_to(actor).select_for_update().filter(pk=pk).first()
    if locked is None:
        raise Http404("问题不存在或不在您的数据范围内。")
    check_version(locked, version, what=f"问题（{locked.code}）")
    return locked


def _event(
    problem: Problem, actor: User | None, action: str, *, note: str = "", before: str = ""
) -> ProblemEvent:
    return ProblemEvent.objects.create(
        problem=problem,
        action=action,
        from_status=before,
        to_status=problem.status,
        note=note,
        actor=actor,
        organisation=actor.organisation if actor is not None else None,
    )


def _save(problem: Problem) -> Problem:
    problem.version = F("version") + 1
    problem.updated_at = timezone.now()
    problem.save()
    problem.refresh_from_db()
    return problem


def is_fixer(actor: User, problem: Problem) -> bool:
    """True when the actor may act for the responsible unit (its data scope holds that unit)."""
    org = actor.organisation
    return (
        org is not None
        and actor.has_role(*FIXER_ROLES)
        and problem.responsible_org.path.startswith(org.scope_path)
    )


def verifier_refusal(actor: User, problem: Problem) -> str | None:
    """Why the actor's organisation may not verify this problem, or None when it may."""
    org = actor.organisation
    responsible = problem.responsible_org
    if org.path.startswith(responsible.path):
        return (
            f"核查必须由整改单位以外的单位进行：您所在的“{org.name}”是本问题的责任单位"
            f"“{responsible.name}”{'' if org.pk == responsible.pk else '的下级单位'}，"
            "不能核查自己整改的问题。"
        )
    fixing = problem.fixing_org
    if fixing is not None and org.path.startswith(fixing.path):
        return (
            f"核查必须由整改单位以外的单位进行：本问题由“{fixing.name}”申请销号，"
            f"您所在的“{org.name}”不能核查。"
        )
    return None


def allowed_actions(actor: User, problem: Problem) -> list[Transition]:
    """The transitions the actor could take now (for showing buttons; services check again)."""
    result = []
    for transition in TRANSITIONS.values():
        if problem.status not in transition.sources:
            continue
        if transition.side == "fixer" and not is_fixer(actor, problem):
            continue
        if transition.side == "verifier" and (
            not actor.has_role(*VERIFIER_ROLES) or verifier_refusal(actor, problem)
        ):
            continue
        if transition.side == "supervisor" and not actor.has_role(*REOPEN_ROLES):
            continue
        result.append(transition)
    return result


def can_edit(actor: User, problem: Problem) -> bool:
    """Only the issuing side edits a problem's facts, and only while it is open."""
    org = actor.organisation
    return (
        problem.is_open
        and org is not None
        and actor.has_role(Role.SUPERVISOR, Role.REVIEWER)
        and problem.issuing_org.path.startswith(org.scope_path)
    )
