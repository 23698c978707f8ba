"""Pages of 重大项目 (server-rendered + HTMX), a package by topic; every view is importable
from here (urls.py uses `views.<name>`)."""

from dudao.projects.views._common import new_request_id
from dudao.projects.views.admin import locks, settings_edit, targets, unlock
from dudao.projects.views.analysis import analysis, county_overview
from dudao.projects.views.grid import (
    grid_row,
    grid_submit_all,
    report_grid,
    report_template,
    report_upload,
)
from dudao.projects.views.registry import (
    plan_edit,
    project_create,
    project_detail,
    project_edit,
    project_export,
    project_list,
)
from dudao.projects.views.reports import (
    due,
    photo_file,
    photo_upload,
    report_action,
    report_detail,
    review_bulk,
)

__all__ = [
    "analysis",
    "county_overview",
    "due",
    "grid_row",
    "grid_submit_all",
    "locks",
    "new_request_id",
    "photo_file",
    "photo_upload",
    "plan_edit",
    "project_create",
    "project_detail",
    "project_edit",
    "project_export",
    "project_list",
    "report_action",
    "report_detail",
    "report_grid",
    "report_template",
    "report_upload",
    "review_bulk",
    "settings_edit",
    "targets",
    "unlock",
]
