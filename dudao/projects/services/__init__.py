"""Writes of 重大项目: registry, plans, the monthly report cycle, locks, targets, settings.

Every public function is one transaction with exactly one audit event. Roll-ups (the plan's
approved year-to-date and `CountyMonthStat`) are maintained here, in the transaction that
approves or returns a report, so the analysis is fresh the moment a report is approved.

A package by topic (registry, reports, rollups, locks, ledger); every public name is importable
from here.
"""

from dudao.projects.rules import month_end
from dudao.projects.selectors import is_locked, report_deadline
from dudao.projects.services._base import (
    PROJECT_FIELDS,
    REPORT_FIELDS,
    SETTINGS_FIELDS,
    area_index,
    known_area_codes,
)
from dudao.projects.services.ledger import report_to_problem
from dudao.projects.services.locks import (
    PENDING_APPROVE,
    PENDING_RETURN,
    lock_month,
    pending_message,
    set_quarter_target,
    unlock_month,
    update_settings,
)
from dudao.projects.services.registry import (
    _create_project,
    check_milestone_order,
    create_project,
    milestone_state,
    save_plan,
    update_project,
)
from dudao.projects.services.reports import (
    BulkOutcome,
    ReportInput,
    add_report_photo,
    approve_report,
    approve_reports,
    return_report,
    save_and_submit_report,
    save_report,
    submit_report,
    validate_report_values,
)
from dudao.projects.services.rollups import _refresh_plan_rollup, refresh_plan_rollup

__all__ = [
    "PENDING_APPROVE",
    "PENDING_RETURN",
    "PROJECT_FIELDS",
    "REPORT_FIELDS",
    "SETTINGS_FIELDS",
    "BulkOutcome",
    "ReportInput",
    "_create_project",
    "_refresh_plan_rollup",
    "add_report_photo",
    "approve_report",
    "approve_reports",
    "area_index",
    "check_milestone_order",
    "create_project",
    "is_locked",
    "known_area_codes",
    "lock_month",
    "milestone_state",
    "month_end",
    "pending_message",
    "refresh_plan_rollup",
    "report_deadline",
    "report_to_problem",
    "return_report",
    "save_and_submit_report",
    "save_plan",
    "save_report",
    "set_quarter_target",
    "submit_report",
    "unlock_month",
    "update_project",
    "update_settings",
    "validate_report_values",
]
