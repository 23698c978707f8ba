"""督查督办 writes (`dudao.supervision.services`): leaders' 批示 on a project, a task, a problem or
a bulletin.

A 批示 becomes a task source of kind “领导批示” through the one source service (`_create_source`),
and a task issued at once to the responsible unit through the one task service (`_create_task`
with `issue`): the unit is notified like for any 交办, the deadline follows the urgency
(domain-research §4.4: 急件 5 日, 非急件 15 日, 难度较大 30 日, 自然日, a rest day rolls over).

The objects live in modules on both sides of supervision's layer: `projects` and `problems` sit
below it (supervision resolves their objects itself, in `dudao.supervision.instructions`),
`bulletins` above it (it registers its own resolver with `register_instruction_target` in its
`AppConfig.ready()`). A registration also adds the 领导批示 panel to the object's page through
`dudao.core.panels`, so a lower module's page shows it without importing supervision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.http import Http404

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError
from dudao.core.policies import require_role
from dudao.orgs.models import Organisation
from dudao.supervision.models import SupervisionTask, TaskSource
from dudao.supervision.services._helpers import _today
from dudao.supervision.services.sources import _create_source
from dudao.supervision.services.tasks import _create_task

if TYPE_CHECKING:
    from dudao.accounts.models import User

# Days to act on a 批示 by urgency (自然日, domain-research §4.4; 急件 takes the upper bound).
DEADLINE_DAYS: dict[str, int] = {
    SupervisionTask.Urgency.URGENT.value: 5,
    SupervisionTask.Urgency.NORMAL.value: 15,
    SupervisionTask.Urgency.HARD.value: 30,
}
MAX_TEXT = 2000


@dataclass(frozen=True)
class InstructionTarget:
    """What a 批示 is written on: its page, its title and the unit that answers for it."""

    kind: str
    kind_label: str
    obj: models.Model
    title: str
    unit: Organisation | None
    url: str

    @property
    def ref(self) -> str:
        """The source's `source_ref`: ``app_label.model:pk``."""
        return instruction_ref(self.obj)


@dataclass(frozen=True)
class TargetKind:
    kind: str
    label: str
    model_label: str
    fetch: Callable[[User, int], models.Model]  # in the actor's scope, else Http404
    describe: Callable[[Any], InstructionTarget]


_KINDS: dict[str, TargetKind] = {}
_ON_REGISTER: list[Callable[[TargetKind], None]] = []


def instruction_ref(obj: models.Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def register_instruction_target(
    kind: str,
    *,
    label: str,
    model_label: str,
    fetch: Callable[[User, int], models.Model],
    describe: Callable[[Any], InstructionTarget],
) -> None:
    """Let leaders write 批示 on objects of `model_label` (and show them on its page)."""
    target_kind = TargetKind(kind, label, model_label.lower(), fetch, describe)
    _KINDS[kind] = target_kind
    for hook in _ON_REGISTER:
        hook(target_kind)


def on_target_registered(hook: Callable[[TargetKind], None]) -> None:
    """Call `hook` for every target kind, registered before or after (the page panel)."""
    _ON_REGISTER.append(hook)
    for target_kind in list(_KINDS.values()):
        hook(target_kind)


def target_kinds() -> list[TargetKind]:
    return list(_KINDS.values())


def instruction_target(actor: User, kind: str, pk: int) -> InstructionTarget:
    """The object in the actor's scope (else Http404, identical to a missing one)."""
    target_kind = _KINDS.get(kind)
    if target_kind is None:
        raise Http404("没有这个对象。")
    return target_kind.describe(target_kind.fetch(actor, pk))


@transaction.atomic(durable=True)
def write_instruction(
    *,
    actor: User,
    target: InstructionTarget,
    text: str,
    lead_org: Organisation | None,
    urgency: str = SupervisionTask.Urgency.NORMAL,
) -> SupervisionTask:
    """A leader's 批示: a 领导批示 source and a task issued to `lead_org`, in one transaction."""
    require_role(actor, Role.LEADER)
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写批示内容。", field="text")
    if len(text) > MAX_TEXT:
        raise DomainError(f"批示内容不能超过 {MAX_TEXT} 字。", field="text")
    if urgency not in DEADLINE_DAYS:
        raise DomainError("紧急程度无效。", field="urgency")
    if lead_org is None:
        raise DomainError("请选择落实单位。", field="lead_org")
    leader = actor.full_name
    source = _create_source(
        actor=actor,
        kind=TaskSource.Kind.INSTRUCTION,
        title=f"{leader}批示：{target.title}"[:120],
        source_date=_today(),
        leader_name=leader,
        text=text,
        source_ref=target.ref,
    )
    task = _create_task(
        actor=actor,
        source=source,
        title=f"落实{leader}批示：{target.title}"[:120],
        content=text,
        goal=f"按{leader}批示要求办理{target.kind_label}“{target.title}”，在完成时限前反馈办理结果。",
        lead_org=lead_org,
        lead_leader=leader,
        urgency=urgency,
        feedback_cycle=SupervisionTask.Cycle.WEEKLY,
        deadline_mode=SupervisionTask.DeadlineMode.CALENDAR_DAY,
        deadline_amount=DEADLINE_DAYS[urgency],
        issue=True,
    )
    record_event(
        actor=actor,
        action="supervision.instruction",
        obj=target.obj,
        after={"批示内容": text, "落实单位": lead_org.name, "督查任务": task.code},
    )
    return task
