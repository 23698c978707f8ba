"""问题台账 writes (`dudao.problems.services`): import of existing ledgers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.snapshot import snapshot
from dudao.problems import rules
from dudao.problems.models import Problem

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.core.imports import ImportReport
from dudao.problems.services._base import EDITABLE_FIELDS, A, S
from dudao.problems.services._helpers import _event
from dudao.problems.services.lights import refresh_lights
from dudao.problems.services.registering import _apply_changes, _insert_with_code

# --- import of existing ledgers (dudao.problems.importers) --------------------------------------

IMPORT_ROLES = (Role.SUPERVISOR, Role.REVIEWER)
# Every editable fact except the source record (imports write "导入：<原编号>" there).
IMPORT_COMPARED = tuple(f for f in EDITABLE_FIELDS if f != "source_ref")


@dataclass
class ImportPlan:
    rows: int
    creates: list[Any]
    updates: list[tuple[Problem, dict[str, Any]]]
    unchanged: int
    warnings: list[Any]


def plan_import(
    *,
    actor: User,
    rows: list[Any],
    existing: dict[str, Problem],
    today: dt.date,
    errors: list[Any],
) -> ImportPlan:
    """Decide, without writing, what each parsed row does: create, update or nothing."""
    from dudao.core.imports import RowError

    visible = set(
        Problem.objects.visible_to(actor)
        .filter(pk__in=[p.pk for p in existing.values()])
        .values_list("pk", flat=True)
    )
    plan = ImportPlan(rows=len(rows), creates=[], updates=[], unchanged=0, warnings=[])
    for row in rows:
        current = existing.get(row.legacy_code)
        if current is None:
            plan.creates.append(row)
            if row.status != S.CLOSED and row.values["deadline"] < today:
                plan.warnings.append(
                    RowError(row.number, "整改时限", "整改时限已过，导入后即显示为逾期。")
                )
            continue
        if current.pk not in visible:
            errors.append(
                RowError(row.number, "原台账编号", f"「{row.legacy_code}」已被其他单位的问题使用。")
            )
            continue
        changes = {
            k: v for k, v in row.values.items() if k in IMPORT_COMPARED and getattr(current, k) != v
        }
        if row.status != current.status:
            errors.append(
                RowError(
                    row.number,
                    "状态",
                    f"系统中该问题（{current.code}）已是“{current.get_status_display()}”，"
                    "状态只能在系统中办理，不能通过导入修改。",
                )
            )
            continue
        if not changes:
            plan.unchanged += 1
            continue
        if not current.is_open:
            errors.append(RowError(row.number, "", f"{current.code} 已销号，不能通过导入修改。"))
            continue
        plan.updates.append((current, changes))
    return plan


def apply_import(*, actor: User, plan: ImportPlan, dry_run: bool) -> ImportReport:
    """Write an import plan (the caller holds the transaction); one audit event per problem."""
    from dudao.core.imports import ImportReport

    report = ImportReport(
        kind="problems",
        rows=plan.rows,
        created=len(plan.creates),
        updated=len(plan.updates),
        unchanged=plan.unchanged,
        dry_run=dry_run,
        warnings=plan.warnings,
    )
    if dry_run:
        return report
    now = timezone.now()
    created: list[int] = []
    for row in plan.creates:
        values = dict(row.values)
        category = values["category"]
        problem = Problem(
            **values,
            source_ref=f"导入：{row.legacy_code}",
            legacy_code=row.legacy_code,
            issuing_org=actor.organisation,
            deadline_unit=category.sla_unit,
            status=row.status,
            created_by=actor,
        )
        if row.status == S.CLOSED:
            late = rules.lateness(problem.deadline, row.closed_on, problem.deadline_unit)
            problem.closed_at = timezone.make_aware(
                dt.datetime.combine(row.closed_on, dt.time(12, 0))
            )
            problem.days_late = late
            problem.closed_on_time = late == 0
        _insert_with_code(problem, timezone.localdate(now).year)
        created.append(problem.pk)
        record_event(
            actor=actor,
            action="problem.import",
            obj=problem,
            organisation=problem.responsible_org,
            after=snapshot(problem),
        )
        _event(problem, actor, A.IMPORT, note=f"自既有台账导入（原编号 {row.legacy_code}）")
    # The new problems' lights in bulk (updated ones are refreshed by `_apply_changes`).
    refresh_lights(created, timezone.localdate(now))
    for problem, changes in plan.updates:
        locked = Problem.objects.select_for_update().get(pk=problem.pk)
        _apply_changes(actor, locked, changes, action="problem.import", event=A.IMPORT)
    return report
