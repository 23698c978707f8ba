"""督查督办's domain rules, public for every module: when a task is late and by how much.

A task's time limit is a computed date (`SupervisionTask.deadline`: a fixed date, or N 工作日 /
自然日 from issue already turned into a date by `dudao.workdays`), so a task is late by the
calendar days after that date. Problems count lateness in their own unit — that rule lives in
`dudao.problems.rules` and the pages and the digest here call it, never a copy.
"""

from __future__ import annotations

from datetime import date

__all__ = ["task_closed_on_time", "task_days_late", "task_overdue"]


def task_days_late(deadline: date | None, on: date) -> int:
    """Days a task with `deadline` is late on `on` (0 when on time or without a deadline)."""
    if deadline is None or on <= deadline:
        return 0
    return (on - deadline).days


def task_overdue(deadline: date | None, today: date) -> bool:
    """An open task is overdue when it is late today."""
    return task_days_late(deadline, today) > 0


def task_closed_on_time(deadline: date | None, closed_on: date) -> bool:
    """A task closed on `closed_on` was closed on time (a task without a deadline always is)."""
    return task_days_late(deadline, closed_on) == 0
