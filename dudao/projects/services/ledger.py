"""The ledger bridge: a monthly report's problem goes into the problem ledger (转入问题台账).

Projects sits below problems, so it does not call the ledger: it emits
`dudao.projects.signals.report_problem_raised` and the problems app's receiver registers the
problem through its own service and returns it."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction

from dudao.accounts.roles import Role
from dudao.core.exceptions import (
    DomainError,
    InvalidTransition,
)
from dudao.core.policies import require_role
from dudao.projects.models import (
    MonthlyReport,
)
from dudao.projects.signals import report_problem_raised

if TYPE_CHECKING:
    from dudao.accounts.models import User

from dudao.projects.services._base import (
    _visible_report,
)


@transaction.atomic
def report_to_problem(
    *, actor: User, report: MonthlyReport, category: Any, deadline: date | None = None
) -> MonthlyReport:
    """转入问题台账: register the report's problem in the problem ledger (reviewer)."""
    require_role(actor, Role.REVIEWER, Role.SUPERVISOR)
    report = _visible_report(actor, report)
    if not report.has_problem:
        raise DomainError("该月报未填写存在问题。")
    if report.problem_ref_id is not None:
        raise InvalidTransition("该问题已转入问题台账。")
    responses = report_problem_raised.send(
        sender=MonthlyReport,
        actor=actor,
        report=report,
        category=category,
        deadline=deadline,
        title=f"{report.project.name}：{report.problem_text[:60]}",
        description=report.problem_text,
        project=report.project,
        county=report.county,
        source_ref=f"projects.monthlyreport:{report.pk}",
    )
    problem: Any = next((answer for _receiver, answer in responses if answer is not None), None)
    if problem is None:
        raise DomainError("问题台账未启用，无法转入。")
    MonthlyReport.objects.filter(pk=report.pk).update(problem_ref=problem)
    report.problem_ref = problem
    return report
