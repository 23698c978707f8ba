"""A demand that needs several departments becomes a problem of the ledger (问题台账), through
the problems module's own service, in one action; the demand keeps the link."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError, InvalidTransition, NotAllowed
from dudao.core.policies import require_role
from dudao.core.roles import Role
from dudao.core.snapshot import snapshot
from dudao.enterprises.models import Demand, DemandEvent
from dudao.enterprises.services.service import _event, _lock, _save, in_scope
from dudao.problems import selectors as problem_selectors
from dudao.problems import services as problem_services

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.problems.models import Problem

SOURCE_REF = "enterprises.demand"


@transaction.atomic(durable=True)
def escalate_demand(
    *,
    actor: User,
    demand: Demand | int,
    category_id: int,
    note: str = "",
    version: int | None = None,
) -> Problem:
    """督查员 (enterprise in scope) turns an open demand into a ledger problem assigned to the
    demand's department; the demand stays open and shows the problem's code."""
    require_role(actor, Role.SUPERVISOR)
    locked = _lock(actor, demand, version)
    if not in_scope(actor, locked.enterprise_id):
        raise NotAllowed("只有企业所在地的督查员可以将诉求转入问题台账。")
    if locked.problem_id is not None:
        raise InvalidTransition("该诉求已转入问题台账。")
    if locked.status == Demand.Status.CLOSED:
        raise InvalidTransition("已办结的诉求不能转入问题台账。")
    category = problem_selectors.categories().filter(pk=category_id).first()
    if category is None:
        raise DomainError("请选择问题类别。", field="category")
    before = snapshot(locked)
    problem = problem_services.create_problem(
        actor=actor,
        source="other",
        source_ref=f"{SOURCE_REF}:{locked.pk}",
        category=category,
        title=f"企业诉求：{locked.title}"[:120],
        description=(
            f"{locked.enterprise.name}（{locked.enterprise.uscc}）"
            f"{locked.get_category_display()}诉求{locked.code}：{locked.content}\n{note.strip()}"
        ).strip(),
        responsible_org=locked.department,
        park=locked.enterprise.park,
    )
    locked.problem_id = problem.pk
    _save(locked)
    _event(
        locked,
        actor,
        DemandEvent.Action.ESCALATE,
        before=locked.status,
        note=f"转入问题台账 {problem.code}。{note.strip()}"[:1000],
    )
    record_event(
        actor=actor,
        action="enterprises.demand.escalate",
        obj=locked,
        organisation=locked.organisation,
        before=before,
        after={**snapshot(locked), "problem_code": problem.code},
    )
    return problem
