"""What each role lands on at `/`: its own work for this month, from the owning modules'
selectors (nothing counted here). A leader lands on the cockpit itself (see views.home)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.urls import reverse

from dudao.core.roles import Role
from dudao.inspections import selectors as inspections
from dudao.problems import selectors as problems
from dudao.projects import selectors as projects
from dudao.supervision import selectors as supervision

if TYPE_CHECKING:
    from dudao.accounts.models import User

# The administrators' pages, in the order their work comes (URL name, label, what it is for).
ADMIN_PAGES: dict[Role, list[tuple[str, str, str]]] = {
    Role.SYSADMIN: [
        ("orgs:list", "组织机构", "维护单位树、启用或停用单位"),
        ("users:list", "用户管理", "新建账户、修改资料、停用账户"),
        ("users:reset_requests", "密码重置审批", "处理用户提交的密码重置申请"),
        ("cockpit:layout", "县区方块图与轮廓图", "领导驾驶舱地图中各县区的位置、行政区划轮廓"),
    ],
    Role.SECADMIN: [
        ("users:list", "用户管理", "分配角色、解锁账户、重置密码"),
        ("users:reset_requests", "密码重置审批", "处理用户提交的密码重置申请"),
        ("users:mfa_policy", "两步验证设置", "规定哪些角色必须使用两步验证"),
    ],
    Role.AUDITADMIN: [
        ("audit:list", "审计日志", "查阅全部操作记录，核验审计链"),
        ("users:reset_requests", "密码重置审批", "处理用户提交的密码重置申请"),
    ],
}


@dataclass
class RoleHome:
    """The sections `/` shows to one account (one per role it holds)."""

    due: dict[str, Any] | None = None
    tasks: list[Any] = field(default_factory=list)
    problems_open: int = 0
    problems_overdue: int = 0
    chase: supervision.ChaseSummary | None = None
    unreported: list[projects.UnitRow] = field(default_factory=list)
    problem_units: list[problems.UnitStatistics] = field(default_factory=list)
    judge_seats: list[Any] = field(default_factory=list)
    admin_pages: list[tuple[str, str, str]] = field(default_factory=list)
    period: tuple[int, int] | None = None
    links: dict[str, str] = field(default_factory=dict)


def role_home(actor: User) -> RoleHome:
    """Gather the sections for the roles ``actor`` holds."""
    home = RoleHome()
    if actor.has_role(Role.REPORTER, Role.REVIEWER):
        year, month = projects.reporting_period()
        home.period = (year, month)
        home.due = projects.due_summary(actor, year, month)
        home.tasks = supervision.my_tasks(actor)[:10]
        ageing = problems.open_ageing(actor)
        home.problems_open, home.problems_overdue = ageing.total, ageing.overdue
        home.links.update(
            due=reverse("projects:due"),
            grid=reverse("projects:grid"),
            tasks=reverse("supervision:my_tasks"),
            problems=reverse("problems:list"),
            problems_overdue=reverse("problems:list") + "?overdue=1",
        )
    if actor.has_role(Role.SUPERVISOR):
        year, month = projects.reporting_period()
        home.period = (year, month)
        home.chase = supervision.chase_summary(actor)
        analysis = projects.city_analysis(actor, year, month, with_ranks=False, with_lights=False)
        home.unreported = sorted(
            (r for r in analysis.counties if r.reported < r.projects),
            key=lambda r: (r.report_rate if r.report_rate is not None else 0, r.name),
        )
        home.problem_units = [u for u in problems.unit_statistics(actor) if u.overdue][:10]
        home.links.update(
            overview=reverse("supervision:overview"),
            tasks=reverse("supervision:task_list"),
            analysis=reverse("projects:analysis") + f"?period={year}-{month:02d}",
            problems_overdue=reverse("problems:list") + "?overdue=1",
        )
    if actor.has_role(Role.JUDGE):
        home.judge_seats = inspections.judge_agenda(actor)
        home.links["judge"] = reverse("inspections:judge_home")
    for role, pages in ADMIN_PAGES.items():
        if actor.has_role(role):
            home.admin_pages = [(reverse(name), label, why) for name, label, why in pages]
    return home
