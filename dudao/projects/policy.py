"""Who may call the URLs of 重大项目 (merged into dudao.policy.POLICY), and its menu entries.
Services check the roles again; selectors restrict every read to the caller's scope."""

from __future__ import annotations

from dudao.accounts.roles import Role
from dudao.core.policy import Rules, roles

R, V, SUP, J, L = Role.REPORTER, Role.REVIEWER, Role.SUPERVISOR, Role.JUDGE, Role.LEADER
READ = roles(R, V, SUP, J, L)
EDIT = roles(R, SUP)
REPORT = roles(R)
REVIEW = roles(R, V)
SUPERVISE = roles(SUP)

POLICY: dict[str, Rules] = {
    "projects:list": {"GET": READ},
    "projects:export": {"GET": READ},
    "projects:create": {"GET": EDIT, "POST": EDIT},
    "projects:registry_import": {"GET": EDIT, "POST": EDIT},
    "projects:registry_import_template": {"GET": EDIT},
    "projects:detail": {"GET": READ},
    "projects:edit": {"GET": EDIT, "POST": EDIT},
    "projects:plan": {"GET": EDIT, "POST": EDIT},
    "projects:grid": {"GET": REPORT},
    "projects:grid_row": {"POST": REPORT},
    "projects:grid_submit_all": {"POST": REPORT},
    "projects:template": {"GET": REPORT},
    "projects:upload": {"GET": REPORT, "POST": REPORT},
    "projects:report": {"GET": READ},
    "projects:report_action": {"POST": REVIEW},
    "projects:photo_upload": {"POST": REPORT},
    "projects:photo": {"GET": READ},
    "projects:due": {"GET": REVIEW},
    "projects:review_bulk": {"POST": roles(V)},
    "projects:analysis": {"GET": READ},
    "projects:county": {"GET": READ},
    "projects:locks": {"GET": SUPERVISE, "POST": SUPERVISE},
    "projects:unlock": {"POST": SUPERVISE},
    "projects:targets": {"GET": SUPERVISE, "POST": SUPERVISE},
    "projects:settings": {"GET": SUPERVISE, "POST": SUPERVISE},
    # API
    # Two operations on one path share one URL pattern: both names carry both methods.
    "api:projects_list": {"GET": READ, "POST": EDIT},
    "api:projects_create": {"GET": READ, "POST": EDIT},
    "api:projects_detail": {"GET": READ, "PATCH": EDIT},
    "api:projects_update": {"GET": READ, "PATCH": EDIT},
    "api:projects_plans": {"GET": READ},
    "api:projects_plan_save": {"PUT": EDIT},
    "api:projects_reports": {"GET": READ},
    "api:projects_report_save": {"PUT": REPORT},
    "api:projects_report_detail": {"GET": READ},
    "api:projects_report_submit": {"POST": REPORT},
    "api:projects_report_approve": {"POST": roles(V)},
    "api:projects_report_return": {"POST": roles(V)},
    "api:projects_locks": {"GET": READ, "POST": SUPERVISE},
    "api:projects_lock": {"GET": READ, "POST": SUPERVISE},
    "api:projects_unlock": {"POST": SUPERVISE},
    "api:projects_analysis": {"GET": READ},
    "api:projects_targets": {"GET": READ},
}

# (URL name, menu label): shown to users whose roles the policy allows for GET.
NAV: list[tuple[str, str]] = [
    ("projects:list", "重大项目"),
    ("projects:due", "本月待办"),
    ("projects:grid", "月报填报"),
    ("projects:analysis", "项目分析"),
    ("projects:locks", "月报锁定"),
]
