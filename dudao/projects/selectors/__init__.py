"""Reads of 重大项目, always from the user's scope; the progress figures and lights.

Figures (documented in docs/projects.md, computed in `dudao.projects.rules`):
* 年度投资完成率 = 已审核年内累计完成投资 ÷ 年度计划投资 × 100, shown with 2 decimals (half-up);
* 序时进度 = N ÷ 12 × 100 (or the plan's monthly cumulative curve ÷ annual plan × 100), 2 decimals;
* 滞后 = 序时进度 − 完成率 in 个百分点, from the displayed (rounded) rates;
* lights from `ProjectSettings` thresholds through `dudao.core.lights.band` (and, for counts in
  SQL, `band_q` generated from the same band).

A package by topic: periods, registry, grid (and locks), analysis (and targets). Every public
name is importable from here.
"""

from dudao.projects.rules import previous_month
from dudao.projects.selectors.analysis import (
    Analysis,
    AnalysisPage,
    CountyOverview,
    TargetRow,
    TargetTotal,
    UnitRow,
    analysis_page,
    city_analysis,
    county_overview,
    group_analysis,
    quarter_targets,
    target_totals,
)
from dudao.projects.selectors.grid import (
    GridRow,
    ReviewRow,
    active_locks,
    due_summary,
    get_lock,
    get_report,
    grid_rows,
    locks_in_scope,
    next_pending,
    pending_reports,
    recent_locks,
    report_submitter_id,
    returned_reports_by_county,
    review_queue,
)
from dudao.projects.selectors.periods import (
    MonthFreeze,
    api_period,
    is_locked,
    locked_months,
    month_freeze,
    month_settings,
    months_text,
    page_period,
    registered_by_lock,
    report_deadline,
    reporting_period,
)
from dudao.projects.selectors.registry import (
    ProjectFilters,
    active_categories,
    county_choices,
    filter_parks,
    PROJECT_SORTS,
    filter_projects,
    with_sort_figures,
    get_project,
    lights_for,
    milestone_timeline,
    park_choices,
    park_for_link,
    project_chart,
    project_history,
    visible_projects,
)
from dudao.projects.selectors.unit_figures import UNIT_METRICS, unit_figures, unit_series

__all__ = [
    "UNIT_METRICS",
    "Analysis",
    "AnalysisPage",
    "CountyOverview",
    "GridRow",
    "MonthFreeze",
    "ProjectFilters",
    "ReviewRow",
    "TargetRow",
    "TargetTotal",
    "UnitRow",
    "active_categories",
    "active_locks",
    "analysis_page",
    "api_period",
    "city_analysis",
    "county_choices",
    "county_overview",
    "due_summary",
    "filter_parks",
    "PROJECT_SORTS",
    "filter_projects",
    "with_sort_figures",
    "get_lock",
    "get_project",
    "get_report",
    "grid_rows",
    "group_analysis",
    "is_locked",
    "lights_for",
    "locked_months",
    "locks_in_scope",
    "milestone_timeline",
    "month_freeze",
    "month_settings",
    "months_text",
    "next_pending",
    "page_period",
    "park_choices",
    "park_for_link",
    "pending_reports",
    "previous_month",
    "project_chart",
    "project_history",
    "quarter_targets",
    "recent_locks",
    "registered_by_lock",
    "report_deadline",
    "report_submitter_id",
    "reporting_period",
    "returned_reports_by_county",
    "review_queue",
    "target_totals",
    "unit_figures",
    "unit_series",
    "visible_projects",
]
