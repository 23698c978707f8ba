"""Signals projects emits for the modules above it (they receive them; projects imports none of
them)."""

from __future__ import annotations

from django.dispatch import Signal

# 转入问题台账: a reviewer sends a monthly report's problem to the problem ledger. Sent inside the
# projects service's transaction with keyword arguments actor, report (the MonthlyReport, in the
# actor's scope), category, deadline, title, description, project, county and source_ref; a
# receiver registers the problem and returns it (the report keeps a reference to it).
report_problem_raised = Signal()

# An approved monthly report reached a milestone node with a role (start / complete / produce).
# Sent inside the approving transaction with keyword arguments project_id, role, on (the node's
# actual date) and actor (the reviewer); receivers (招商引资: the deal the project came from)
# follow the project without projects importing them.
milestone_reached = Signal()
