"""问题台账 writes (`dudao.problems.services`): lights and provisional deadlines.

* `refresh_light` — a problem's light after one of its writes (inside that write's
  transaction, covered by its audit event);
* `recompute_lights` — the daily job over every open problem (bulk; a history row only where
  the colour changed; idempotent per day; one audit event per run);
* `recompute_provisional_deadlines` — the `holiday_year_confirmed` receiver: every open
  problem whose time limit was computed from its category's SLA and is still 暂定 is computed
  again by the one deadline service; each change is audited in the confirming operator's name.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.lights import Evaluation
from dudao.core.snapshot import diff, snapshot
from dudao.problems import rules
from dudao.problems.lights import active_rules, book_for, evaluate_problem
from dudao.problems.models import Problem, ProblemEvent, ProblemLightRecord
from dudao.workdays.calendar import format_day

if TYPE_CHECKING:
    from dudao.accounts.models import User

S = Problem.Status
BATCH = 1000
LIGHT_FIELDS = ("light", "light_reasons", "light_on")


def _record(problem: Problem, evaluation: Evaluation, today: dt.date) -> ProblemLightRecord | None:
    """Set the problem's light fields; return the history row when the colour changed."""
    light, reasons = evaluation.light.value, evaluation.reasons()
    record = None
    if light != problem.light or problem.light_on is None:
        record = ProblemLightRecord(
            problem_id=problem.pk,
            light=light,
            previous="" if problem.light_on is None else problem.light,
            since=today,
            reasons=reasons,
        )
    problem.light, problem.light_reasons, problem.light_on = light, reasons, today
    return record


def refresh_light(problem: Problem, today: dt.date | None = None) -> None:
    """Evaluate a saved, open problem now and store its light (a closed one keeps none)."""
    if problem.status == S.CLOSED:
        return
    today = today or timezone.localdate()
    evaluation = evaluate_problem(problem, active_rules(), book_for([problem], today))
    record = _record(problem, evaluation, today)
    Problem.objects.filter(pk=problem.pk).update(
        light=problem.light, light_reasons=problem.light_reasons, light_on=today
    )
    if record is not None:
        record.save()


@dataclass
class LightsResult:
    problems: int = 0
    changed: int = 0
    by_light: dict[str, int] = field(default_factory=dict)


FIELDS = ("id", "status", "deadline", "deadline_unit", "return_count", "reopen_count")


def _store(problems: list[Problem], today: dt.date) -> tuple[int, dict[str, int]]:
    """Evaluate `problems` (open, loaded with FIELDS and LIGHT_FIELDS) and store their lights in
    bulk: one UPDATE per distinct (light, reasons) pair, a history row per change of colour.
    Return (history rows written, count per light)."""
    rule_rows = active_rules()
    book = book_for(problems, today)
    records: list[ProblemLightRecord] = []
    groups: dict[str, list[int]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for problem in problems:
        before = (problem.light, problem.light_reasons)
        record = _record(problem, evaluate_problem(problem, rule_rows, book), today)
        counts[problem.light] += 1
        if record is not None:
            records.append(record)
        if record is not None or before != (problem.light, problem.light_reasons):
            groups[json.dumps([problem.light, problem.light_reasons], sort_keys=True)].append(
                problem.pk
            )
    for key, ids in groups.items():
        light, reasons = json.loads(key)
        for start in range(0, len(ids), BATCH):
            Problem.objects.filter(pk__in=ids[start : start + BATCH]).update(
                light=light, light_reasons=reasons
            )
    all_ids = [p.pk for p in problems]
    for start in range(0, len(all_ids), BATCH):
        Problem.objects.filter(pk__in=all_ids[start : start + BATCH]).update(light_on=today)
    ProblemLightRecord.objects.bulk_create(records, batch_size=BATCH)
    return len(records), dict(counts)


def refresh_lights(ids: list[int], today: dt.date | None = None) -> None:
    """`refresh_light` for many problems at once (an import), inside the caller's transaction."""
    today = today or timezone.localdate()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        problems = list(
            Problem.objects.filter(pk__in=chunk)
            .exclude(status=S.CLOSED)
            .only(*FIELDS, *LIGHT_FIELDS)
        )
        _store(problems, today)


@transaction.atomic
def recompute_lights(today: dt.date | None = None) -> LightsResult:
    """Evaluate every open problem; store lights, write history rows for changes only."""
    today = today or timezone.localdate()
    problems = list(Problem.objects.exclude(status=S.CLOSED).only(*FIELDS, *LIGHT_FIELDS))
    changed, counts = _store(problems, today)
    result = LightsResult(problems=len(problems), changed=changed, by_light=counts)
    record_event(
        actor=None,
        actor_name="system",
        action="problem.lights_recompute",
        after={
            "date": today.isoformat(),
            "problems": result.problems,
            "changed": result.changed,
            "by_light": result.by_light,
        },
        object_repr=f"问题亮灯计算 {today.isoformat()}",
    )
    return result


def recompute_provisional_deadlines(*, actor: User, year: int) -> int:
    """Recompute the open problems' provisional SLA deadlines now that `year`'s holidays are
    confirmed; return how many changed (a deadline moved or became firm). Idempotent."""
    today = timezone.localdate()
    changed = 0
    candidates = (
        Problem.objects.select_for_update()
        .exclude(status=S.CLOSED)
        .filter(deadline_provisional=True, deadline_start__isnull=False)
        .filter(deadline_amount__isnull=False)
        .select_related("responsible_org")
        .order_by("pk")
    )
    for problem in candidates:
        if problem.deadline_start is None or problem.deadline_amount is None:
            continue  # excluded by the query; narrows the types
        result = rules.sla_deadline(
            problem.deadline_unit, problem.deadline_amount, problem.deadline_start
        )
        if (result.due, result.provisional) == (problem.deadline, problem.deadline_provisional):
            continue
        before = snapshot(problem)
        old_due = problem.deadline
        problem.deadline, problem.deadline_provisional = result.due, result.provisional
        problem.version += 1
        problem.updated_at = timezone.now()
        problem.save(update_fields=["deadline", "deadline_provisional", "version", "updated_at"])
        b, a = diff(before, snapshot(problem))
        record_event(
            actor=actor,
            action="problem.deadline_recompute",
            obj=problem,
            organisation=problem.responsible_org,
            before=b,
            after=a,
            reason=f"{year}年节假日安排已录入",
        )
        state = "仍为暂定" if result.provisional else "已确定"
        ProblemEvent.objects.create(
            problem=problem,
            action=ProblemEvent.Action.UPDATE,
            from_status=problem.status,
            to_status=problem.status,
            note=(
                f"{year}年节假日安排已录入，整改时限由{format_day(old_due)}重算为"
                f"{format_day(result.due)}（{state}）"
            ),
            actor=actor,
            organisation=actor.organisation,
        )
        refresh_light(problem, today)
        changed += 1
    return changed
