"""督查督办 writes (`dudao.supervision.services`): progress and lights."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from dudao.supervision.evaluation import (
    ChildShare,
    MilestoneLike,
    WorkdayIndex,
    cycle_number,
    evaluate_task,
    rollup,
)
from dudao.supervision.models import (
    LightRecord,
    LightRule,
    SupervisionTask,
)

if TYPE_CHECKING:
    pass
from dudao.supervision.services._base import S
from dudao.supervision.services._helpers import _today

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
