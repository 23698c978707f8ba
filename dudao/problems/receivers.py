"""Receivers of the signals the modules below the ledger emit (registered in
ProblemsConfig.ready()): they write through the ledger's own services."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.dispatch import receiver

from dudao.projects.signals import report_problem_raised
from dudao.workdays.signals import holiday_year_confirmed

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.orgs.models import Organisation
    from dudao.problems.models import Problem, ProblemCategory


@receiver(report_problem_raised, dispatch_uid="problems.report_problem_raised")
def register_report_problem(
    sender: Any,
    *,
    actor: User,
    category: ProblemCategory,
    deadline: dt.date | None,
    title: str,
    description: str,
    project: Any,
    county: Organisation,
    source_ref: str,
    **_: Any,
) -> Problem:
    """转入问题台账: a monthly report's problem becomes a ledger problem of the report's county."""
    from dudao.problems.services import create_problem

    return create_problem(
        actor=actor,
        source="monthly_report",
        category=category,
        title=title,
        responsible_org=county,
        deadline=deadline,
        description=description,
        project=project,
        county=county,
        source_ref=source_ref,
    )


@receiver(holiday_year_confirmed, dispatch_uid="problems.holiday_year_confirmed")
def recompute_deadlines(sender: Any, *, actor: User, year: int, **_: Any) -> int:
    """A year's holidays confirmed: the ledger's 暂定 time limits are computed again."""
    from dudao.problems.services import recompute_provisional_deadlines

    return recompute_provisional_deadlines(actor=actor, year=year)
