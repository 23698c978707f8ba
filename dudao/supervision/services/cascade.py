"""督查督办 writes (`dudao.supervision.services`): one task sent to many units at once (cascade).

The supervisor enters the task once — name, 工作任务, 工作目标, category, urgency, feedback cycle,
milestones — and picks the responsible units; each unit may override any inherited field and
has its own weight and deadline. Every unit's task is created (and issued) by the one task
service `_create_task`, so each is checked and audited exactly like a single task; the whole
cascade is one transaction: one refused unit and nothing is created, with the refusal naming
the unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError
from dudao.core.policies import require_role
from dudao.orgs.models import Organisation
from dudao.supervision.models import SupervisionTask, TaskSource
from dudao.supervision.services._base import TASK_FIELDS
from dudao.supervision.services.tasks import _create_task

if TYPE_CHECKING:
    from dudao.accounts.models import User

# Fields a unit's row may override (blank in the row = inherited from the common part).
OVERRIDABLE = ("content", "goal", "category", "urgency", "responsible_person", "lead_leader")
MAX_UNITS = 200

Milestones = Sequence[tuple[date, str, Decimal]]


@dataclass(frozen=True)
class CascadeUnit:
    """One responsible unit of a cascade, with what differs from the common part."""

    lead_org: Organisation
    weight: Decimal | None = None
    deadline: date | None = None
    milestones: Milestones | None = None  # None = the common milestones
    overrides: dict[str, Any] = field(default_factory=dict)


def unit_fields(common: dict[str, Any], unit: CascadeUnit, *, child: bool) -> dict[str, Any]:
    """The fields of one unit's task: the common part, then the unit's own values."""
    unknown = set(unit.overrides) - set(OVERRIDABLE)
    if unknown:
        raise DomainError(f"不可单独设置的字段：{'、'.join(sorted(unknown))}")
    fields = {**common, **{k: v for k, v in unit.overrides.items() if v not in (None, "")}}
    fields["lead_org"] = unit.lead_org
    if unit.deadline is not None:
        fields.update(deadline_mode=SupervisionTask.DeadlineMode.DATE, deadline=unit.deadline)
        fields.pop("deadline_amount", None)
    if child:
        fields["weight"] = unit.weight
    elif unit.weight is not None:
        raise DomainError("只有分解上级任务时才能填写权重。", field="weight")
    return fields


@transaction.atomic(durable=True)
def cascade_task(
    *,
    actor: User,
    title: str,
    units: Sequence[CascadeUnit],
    source: TaskSource | None = None,
    parent: SupervisionTask | None = None,
    milestones: Milestones = (),
    issue: bool = True,
    **common: Any,
) -> list[SupervisionTask]:
    """Create (and with `issue`, issue) one task per unit in one transaction — all or nothing.

    With `parent` the tasks are its children (分解: weights count in the roll-up, the source is
    the parent's); without it they are top-level tasks of `source`. A refusal is re-raised with
    the unit's name in front: “凤台县：牵头单位不在您的数据范围内。”.
    """
    require_role(actor, Role.SUPERVISOR, Role.REVIEWER)
    if not units:
        raise DomainError("请至少选择一个责任单位。", field="units")
    if len(units) > MAX_UNITS:
        raise DomainError(f"一次最多交办给 {MAX_UNITS} 个单位。", field="units")
    seen: set[int] = set()
    for unit in units:
        if unit.lead_org.pk in seen:
            raise DomainError(f"责任单位重复：{unit.lead_org.name}。", field="units")
        seen.add(unit.lead_org.pk)
    unknown = set(common) - set(TASK_FIELDS)
    if unknown:
        raise DomainError(f"不可设置的字段：{'、'.join(sorted(unknown))}")
    root_source = parent.source if parent is not None else source
    if root_source is None:
        raise DomainError("请选择任务来源。", field="source")
    tasks: list[SupervisionTask] = []
    for unit in units:
        try:
            fields = unit_fields(common, unit, child=parent is not None)
            task = _create_task(
                actor=actor,
                source=root_source,
                title=title,
                parent=parent,
                milestones=milestones if unit.milestones is None else unit.milestones,
                issue=issue,
                **fields,
            )
        except DomainError as exc:
            exc.message = f"{unit.lead_org.name}：{exc.message}"
            exc.args = (exc.message,)
            exc.details = {"unit": unit.lead_org.pk, "details": exc.details}
            raise
        tasks.append(task)
    record_event(
        actor=actor,
        action="supervision.task_cascade",
        obj=parent if parent is not None else root_source,
        after={
            "任务": [t.code for t in tasks],
            "责任单位": [u.lead_org.name for u in units],
            "交办": issue,
        },
    )
    return tasks
