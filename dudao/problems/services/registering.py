"""问题台账 writes (`dudao.problems.services`): registering."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.bounds import check_date
from dudao.core.exceptions import (
    DomainError,
    InvalidTransition,
    NotAllowed,
    full_clean_or_raise,
)
from dudao.core.policies import require_role
from dudao.core.snapshot import diff, snapshot
from dudao.problems import rules
from dudao.problems.models import Problem, ProblemCategory

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.orgs.models import Organisation
    from dudao.parks.models import Park
    from dudao.projects.models import Project
from dudao.problems.services._base import EDITABLE_FIELDS, ISSUER_ROLES, A
from dudao.problems.services._helpers import (
    _actor_org,
    _check_deadline,
    _check_org_in_scope,
    _check_park_in_scope,
    _event,
    _lock,
    _save,
    can_edit,
    county_of,
    next_problem_code,
)
from dudao.problems.services.lights import refresh_light

# --- registering ---------------------------------------------------------------------------------


@transaction.atomic
def create_problem(
    *,
    actor: User,
    source: str,
    category: ProblemCategory,
    title: str,
    responsible_org: Organisation,
    deadline: dt.date | None = None,
    description: str = "",
    severity: str = Problem.Severity.GENERAL,
    county: Organisation | None = None,
    project: Project | None = None,
    park: Park | None = None,
    source_ref: str = "",
    issuing_org: Organisation | None = None,
    found_on: dt.date | None = None,
    measures: str = "",
    responsible_person: str = "",
) -> Problem:
    """Register a problem (交办). Without a deadline the category's time limit (SLA) applies,
    counted in 工作日 or 自然日 as the category says.

    Not durable on purpose: other modules' services register their problems inside their own
    transaction (an inspection finding, a monthly report's problem via the projects signal)."""
    require_role(actor, *ISSUER_ROLES)
    _actor_org(actor)
    today = timezone.localdate()
    if not category.is_active:
        raise DomainError(f"问题类别“{category.name}”已停用。", field="category")
    _check_org_in_scope(actor, responsible_org, "responsible_org", "责任单位")
    _check_park_in_scope(actor, park)
    basis: tuple[dt.date, int] | None = None
    provisional = False
    if deadline is None:
        sla = rules.sla_deadline(category.sla_unit, category.sla_days, today)
        deadline, provisional, basis = sla.due, sla.provisional, (today, category.sla_days)
    _check_deadline(deadline, today)
    if found_on is not None:
        check_date(found_on, label="发现日期", field="found_on")
    if found_on is not None and found_on > today:
        raise DomainError("发现日期不能晚于今天。", field="found_on")
    if project is not None and county is None:
        county = project.county
    if county is None:
        county = county_of(responsible_org)
    problem = Problem(
        source=source,
        source_ref=source_ref,
        category=category,
        title=title.strip(),
        description=description.strip(),
        severity=severity,
        county=county,
        responsible_org=responsible_org,
        issuing_org=issuing_org or actor.organisation,
        project=project,
        park=park,
        deadline=deadline,
        deadline_provisional=provisional,
        deadline_start=basis[0] if basis else None,
        deadline_amount=basis[1] if basis else None,
        deadline_unit=category.sla_unit,
        found_on=found_on or today,
        measures=measures.strip(),
        responsible_person=responsible_person.strip(),
        created_by=actor,
    )
    _insert_with_code(problem, today.year)
    refresh_light(problem, today)
    record_event(
        actor=actor,
        action="problem.create",
        obj=problem,
        organisation=problem.responsible_org,
        after=snapshot(problem),
    )
    _event(
        problem, actor, A.CREATE, note=f"交办{responsible_org.name}，整改时限{deadline:%Y-%m-%d}"
    )
    return problem


def _insert_with_code(problem: Problem, year: int) -> None:
    """Validate and insert with the next free code; a concurrent insert retries the number."""
    problem.code = next_problem_code(year)
    full_clean_or_raise(problem, validate_unique=False)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                problem.save()
            return
        except IntegrityError:
            if problem.legacy_code and Problem.objects.filter(legacy_code=problem.legacy_code):
                raise DomainError(
                    f"原台账编号 {problem.legacy_code} 已登记。", field="legacy_code"
                ) from None
            problem.pk = None
            problem.code = next_problem_code(year)
    raise DomainError("问题编号分配冲突，请稍后重试。")


@transaction.atomic(durable=True)
def update_problem(
    *, actor: User, problem: Problem | int, version: int | None = None, **changes: Any
) -> Problem:
    """Change a problem's facts (issuing side, open problems only); stale edits → 409."""
    require_role(actor, Role.SUPERVISOR, Role.REVIEWER)
    locked = _lock(actor, problem, version)
    if not can_edit(actor, locked):
        if not locked.is_open:
            raise InvalidTransition("已销号的问题不能修改；如需继续整改，请“重新打开”。")
        raise NotAllowed("只有交办单位可以修改问题内容。")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    today = timezone.localdate()
    if "deadline" in changes and changes["deadline"] != locked.deadline:
        _check_deadline(changes["deadline"], today)
    if "responsible_org" in changes and changes["responsible_org"] != locked.responsible_org:
        _check_org_in_scope(actor, changes["responsible_org"], "responsible_org", "责任单位")
    if "park" in changes and changes["park"] != locked.park:
        _check_park_in_scope(actor, changes["park"])
    _apply_changes(actor, locked, changes, action="problem.update", event=A.UPDATE)
    return locked


def _apply_changes(
    actor: User, locked: Problem, changes: dict[str, Any], *, action: str, event: str
) -> None:
    """Set `changes` on a locked problem, save, and record one audit event and one timeline
    entry naming the changed fields (nothing when nothing changed)."""
    before = snapshot(locked)
    if changes.get("category") is not None and changes["category"] != locked.category:
        locked.deadline_unit = changes["category"].sla_unit
    if "deadline" in changes and changes["deadline"] != locked.deadline:
        locked.deadline_provisional = False  # a date given by hand is firm
        locked.deadline_start = locked.deadline_amount = None
    for field, value in changes.items():
        setattr(locked, field, value.strip() if isinstance(value, str) else value)
    full_clean_or_raise(locked, validate_unique=False)
    changed_before, changed_after = diff(before, snapshot(locked))
    if not changed_after:  # a no-op edit writes nothing: no version bump, no event
        return
    _save(locked)
    refresh_light(locked)
    changed_before, changed_after = diff(before, snapshot(locked))
    record_event(
        actor=actor,
        action=action,
        obj=locked,
        organisation=locked.responsible_org,
        before=changed_before,
        after=changed_after,
    )
    labels = {f.attname: str(f.verbose_name) for f in Problem._meta.concrete_fields}
    _event(
        locked,
        actor,
        event,
        note="修改了：" + "、".join(labels.get(k, k) for k in changed_after),
        before=locked.status,
    )
