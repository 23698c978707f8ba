"""Writes to the problem ledger. Every function is one transaction with one audit event."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError, full_clean_or_raise
from dudao.core.policies import require_role
from dudao.core.snapshot import snapshot
from dudao.problems.models import Problem, ProblemCategory

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.orgs.models import Organisation
    from dudao.parks.models import Park
    from dudao.projects.models import Project


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
) -> Problem:
    """Register a problem (交办). Without a deadline the category's time limit applies."""
    require_role(actor, Role.SUPERVISOR, Role.JUDGE, Role.REVIEWER)
    if actor.organisation is None:
        raise DomainError("您的账户未归属任何单位，不能登记问题。")
    today = timezone.localdate()
    if deadline is None:
        deadline = today + dt.timedelta(days=category.sla_days)
    if deadline < today:
        raise DomainError("整改时限不能早于今天。", field="deadline")
    if project is not None and county is None:
        county = project.county
    problem = Problem(
        code=next_problem_code(today.year),
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
        created_by=actor,
    )
    full_clean_or_raise(problem, validate_unique=False)
    problem.save()
    record_event(actor=actor, action="problem.create", obj=problem, after=snapshot(problem))
    return problem
