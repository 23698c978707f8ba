"""督查督办 writes (`dudao.supervision.services`): provisional deadlines made firm.

`recompute_provisional_deadlines` is the `holiday_year_confirmed` receiver (`dudao.workdays`):
every open task whose time limit was computed in 工作日/自然日 at issue and is still 暂定 is
computed again from its issue day by the one deadline service (`deadline_for`); each change is
audited in the confirming operator's name and the task's light refreshed. Idempotent: a task
already firm, or unchanged, is left alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import F
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.snapshot import diff, snapshot
from dudao.supervision.models import SupervisionTask
from dudao.supervision.services.progress import _refresh_light_fields
from dudao.workdays.selectors import deadline_for

if TYPE_CHECKING:
    from dudao.accounts.models import User

S = SupervisionTask.Status


def recompute_provisional_deadlines(*, actor: User, year: int) -> int:
    """Recompute the open tasks' provisional deadlines; return how many changed."""
    today = timezone.localdate()
    changed = 0
    tasks = (
        SupervisionTask.objects.select_for_update(of=("self",))
        .exclude(status__in=[S.DRAFT, S.CLOSED])
        .exclude(deadline_mode=SupervisionTask.DeadlineMode.DATE)
        .filter(deadline_provisional=True, assigned_on__isnull=False, deadline_amount__isnull=False)
        .select_related("lead_org")
        .order_by("pk")
    )
    for task in tasks:
        if task.assigned_on is None or task.deadline_amount is None:
            continue  # excluded by the query; narrows the types
        result = deadline_for(task.assigned_on, task.deadline_amount, task.deadline_mode)
        if (result.due, result.provisional) == (task.deadline, task.deadline_provisional):
            continue
        before = snapshot(task)
        task.deadline, task.deadline_provisional = result.due, result.provisional
        task.deadline_explanation = result.explanation
        _refresh_light_fields(task, today)
        task.version = F("version") + 1
        task.updated_at = timezone.now()
        task.save(
            update_fields=[
                "deadline",
                "deadline_provisional",
                "deadline_explanation",
                "light",
                "light_reasons",
                "light_on",
                "version",
                "updated_at",
            ]
        )
        task.refresh_from_db()
        b, a = diff(before, snapshot(task))
        record_event(
            actor=actor,
            action="supervision.task_deadline_recompute",
            obj=task,
            organisation=task.lead_org,
            before=b,
            after=a,
            reason=f"{year}年节假日安排已录入",
        )
        changed += 1
    return changed
