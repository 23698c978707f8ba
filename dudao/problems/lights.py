"""The ledger's lights (问题亮灯): a problem's metrics, judged by the platform's one rule engine.

The metrics are measured here, each by the rule that owns it:

* `days_overdue` — days late today in the problem's unit (工作日 or 自然日), by
  `dudao.problems.rules.lateness`, the ledger's one lateness rule (0 when not late);
* `remaining_workdays` — workdays from today to the time limit (0 on the day, negative once
  past), by `dudao.workdays` (holidays, weekends and 调休 as everywhere);
* `return_count` / `reopen_count` — how often the problem was sent back (退回整改) or reopened.

The thresholds are data (`ProblemLightRule` rows, seeded by migration 0005 and editable by the
督查室); `dudao.core.lights.evaluate` turns the metrics into a colour exactly as for 督查任务.
A closed problem has no light: it is not evaluated and the ledger shows none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from dudao.core.lights import Evaluation, RuleLike, evaluate
from dudao.problems.models import Problem, ProblemLightRule
from dudao.problems.rules import LatenessBook

M = ProblemLightRule.Metric


def active_rules() -> list[ProblemLightRule]:
    """The active rules, in their display order (one query)."""
    return list(ProblemLightRule.objects.filter(is_active=True))


def metrics(problem: Problem, book: LatenessBook) -> dict[str, Decimal | int | None]:
    """What the rules measure for an open problem today (`book.today`)."""
    return {
        M.DAYS_OVERDUE: book.days_late(problem.deadline, problem.deadline_unit),
        M.REMAINING_WORKDAYS: book.remaining_workdays(problem.deadline),
        M.RETURN_COUNT: problem.return_count,
        M.REOPEN_COUNT: problem.reopen_count,
    }


def evaluate_problem(problem: Problem, rules: Iterable[RuleLike], book: LatenessBook) -> Evaluation:
    """The light of an open problem today, with the findings that made it."""
    return evaluate(rules, metrics(problem, book))


def book_for(problems: Iterable[Problem], today: dt.date) -> LatenessBook:
    """One calendar load for the deadlines of `problems` (a day's run, a single write)."""
    return LatenessBook((p.deadline for p in problems), today)
