"""Major projects (重大项目): the registry. A project belongs to a county (its data scope) and
optionally lies in a park (`in_park`).

A package by topic: `registry` (categories, projects, lists, area codes, milestones and the
scoped querysets), `reports` (year plans, monthly reports, photos, replay keys) and `periods`
(locks, the county month roll-up, quarterly targets, settings)."""

from dudao.projects.models.periods import (
    CountyMonthStat,
    MonthLock,
    ProjectSettings,
    QuarterTarget,
)
from dudao.projects.models.registry import (
    AreaCode,
    CountyScopedQuerySet,
    MilestoneNode,
    Project,
    ProjectCategory,
    ProjectList,
    ProjectMilestone,
    ProjectQuerySet,
    ReportQuerySet,
    ScopedPlanQuerySet,
    covers_a_county,
)
from dudao.projects.models.reports import (
    MonthlyReport,
    ProjectYearPlan,
    ReportPhoto,
    ReportRequest,
)

__all__ = [
    "AreaCode",
    "CountyMonthStat",
    "CountyScopedQuerySet",
    "MilestoneNode",
    "MonthLock",
    "MonthlyReport",
    "Project",
    "ProjectCategory",
    "ProjectList",
    "ProjectMilestone",
    "ProjectQuerySet",
    "ProjectSettings",
    "ProjectYearPlan",
    "QuarterTarget",
    "ReportPhoto",
    "ReportQuerySet",
    "ReportRequest",
    "ScopedPlanQuerySet",
    "covers_a_county",
]
