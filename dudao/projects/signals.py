"""Signals projects emits for the modules above it (they receive them; projects imports none of
them)."""

from __future__ import annotations

from django.dispatch import Signal

# 转入问题台账: a reviewer sends a monthly report's problem to the problem ledger. Sent inside the
# projects service's transaction with keyword arguments actor, report (the MonthlyReport, in the
# actor's scope), category, deadline, title, description, project, county and source_ref; a
# receiver registers the problem and returns it (the report keeps a reference to it).
report_problem_raised = Signal()

# A month was locked (月报锁定) for one county or city-wide. Sent inside lock_month's transaction
# with keyword arguments actor, lock (the MonthLock), year and month; receivers that start work
# (the bulletins' monthly draft) do so with transaction.on_commit.
month_locked = Signal()

# A reviewer (or a supervisor settling a month before locking it) approved or returned a monthly
# report. Sent inside the service's transaction with keyword arguments actor, report (the
# MonthlyReport after the change), action ("approve" or "return") and reason (a return's reason,
# else ""); the notification centre tells the county's reporters.
report_reviewed = Signal()

# An approved monthly report reached a milestone node with a role (start / complete / produce).
# Sent inside the approving transaction with keyword arguments project_id, role, on (the node's
# actual date) and actor (the reviewer); receivers (招商引资: the deal the project came from)
# follow the project without projects importing them.
milestone_reached = Signal()
