"""观摩督导 writes (`dudao.inspections.services`): Findings."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.exceptions import (
    DomainError,
    InvalidTransition,
)
from dudao.core.snapshot import diff, snapshot
from dudao.inspections.models import (
    Criterion,
    Finding,
    Site,
)
from dudao.problems import selectors as problem_selectors
from dudao.problems.services import create_problem

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.problems.models import ProblemCategory
from dudao.inspections.services._base import _organiser
from dudao.inspections.services.scoring import _seat

# --- Findings --------------------------------------------------------------------------------


def _problem_category(category: ProblemCategory | None) -> ProblemCategory:
    if category is not None:
        return category
    fallback = problem_selectors.categories().filter(code="other").first()
    if fallback is None:
        raise DomainError("请选择问题类别。", field="category")
    return fallback


def _to_ledger(actor: User, finding: Finding) -> None:
    site = finding.site
    problem = create_problem(
        actor=actor,
        source="inspection",
        category=_problem_category(finding.category),
        title=finding.title,
        responsible_org=site.county,
        deadline=finding.deadline,
        description=finding.description,
        county=site.county,
        project=site.project,
        source_ref=f"inspections.finding:{finding.pk}",
    )
    finding.problem = problem
    finding.deadline = problem.deadline
    finding.category = problem.category
    finding.status = Finding.Status.CONFIRMED
    finding.save(update_fields=["problem", "deadline", "category", "status"])


@transaction.atomic(durable=True)
def record_finding(
    *,
    actor: User,
    site: Site,
    title: str,
    description: str = "",
    category: ProblemCategory | None = None,
    deadline: dt.date | None = None,
    criterion: Criterion | None = None,
) -> Finding:
    """A judge of the tour or its organiser records a problem seen at a site: it goes straight
    into the problem ledger (source 观摩) for the site's county, with its deadline."""
    tour = site.tour
    if actor.has_role(Role.SUPERVISOR):
        _organiser(actor, tour)
    else:
        _seat(actor, tour)
    if not title.strip():
        raise DomainError("请填写问题。", field="title")
    if criterion is not None and criterion.sheet_id != site.sheet_id:
        raise DomainError("评分项不属于该点位的评分表。", field="criterion")
    finding = Finding.objects.create(
        tour=tour,
        site=site,
        county=site.county,
        criterion=criterion,
        title=title.strip()[:120],
        description=description.strip(),
        category=category,
        deadline=deadline,
        created_by=actor,
    )
    _to_ledger(actor, finding)
    record_event(
        actor=actor,
        action="inspections.finding.create",
        obj=finding,
        organisation=site.county,
        after=snapshot(finding),
    )
    return finding


def _draft(actor: User, finding: Finding) -> Finding:
    _organiser(actor, finding.tour)
    locked = Finding.objects.select_for_update().get(pk=finding.pk)
    if locked.status != Finding.Status.DRAFT:
        raise InvalidTransition(f"该问题已是“{locked.get_status_display()}”状态。")
    return locked


@transaction.atomic(durable=True)
def confirm_finding(
    *,
    actor: User,
    finding: Finding,
    category: ProblemCategory | None = None,
    deadline: dt.date | None = None,
    title: str = "",
) -> Finding:
    """The organiser confirms a proposed finding: it becomes a problem in the ledger."""
    finding = _draft(actor, finding)
    before = snapshot(finding)
    if title.strip():
        finding.title = title.strip()[:120]
        finding.save(update_fields=["title"])
    finding.category = category
    finding.deadline = deadline
    _to_ledger(actor, finding)
    b, a = diff(before, snapshot(finding))
    record_event(
        actor=actor,
        action="inspections.finding.confirm",
        obj=finding,
        organisation=finding.county,
        before=b,
        after=a,
    )
    return finding


@transaction.atomic(durable=True)
def dismiss_finding(*, actor: User, finding: Finding, reason: str) -> Finding:
    """The organiser decides a proposed finding is not a problem (the reason is audited)."""
    finding = _draft(actor, finding)
    if not reason.strip():
        raise DomainError("请填写不予交办的理由。", field="reason")
    finding.status = Finding.Status.DISMISSED
    finding.save(update_fields=["status"])
    record_event(
        actor=actor,
        action="inspections.finding.dismiss",
        obj=finding,
        organisation=finding.county,
        before={"status": Finding.Status.DRAFT},
        after={"status": Finding.Status.DISMISSED},
        reason=reason.strip(),
    )
    return finding
