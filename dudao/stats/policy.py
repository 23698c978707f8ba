"""Who may call the URLs of 统计指标 (merged into dudao.policy.POLICY), and its menu entries.

Everyone with a business role reads figures (scoped by organisation); 填报员/审核员/督查员
enter and import values; 审核员/督查员 approve and return (checked again in the services)."""

from __future__ import annotations

from dudao.core.menu import MenuEntry
from dudao.core.policy import Rules, roles
from dudao.core.roles import Role

READERS = roles(Role.REPORTER, Role.REVIEWER, Role.SUPERVISOR, Role.JUDGE, Role.LEADER)
ENTRY = roles(Role.REPORTER, Role.REVIEWER, Role.SUPERVISOR)
SUPERVISOR = roles(Role.SUPERVISOR)
REVIEWERS = roles(Role.REVIEWER, Role.SUPERVISOR)

POLICY: dict[str, Rules] = {
    "stats:summary": {"GET": READERS},
    "stats:entry": {"GET": ENTRY, "POST": ENTRY},
    "stats:transition": {"POST": ENTRY},
    "stats:grid_export": {"GET": ENTRY},
    "stats:grid_import": {"GET": ENTRY, "POST": ENTRY},
    "stats:settings": {"GET": SUPERVISOR, "POST": SUPERVISOR},
    "stats:catalogue_import": {"GET": SUPERVISOR, "POST": SUPERVISOR},
    "stats:catalogue_import_template": {"GET": SUPERVISOR},
    "stats:review": {"GET": REVIEWERS},
    "api:stats_indicator_list": {"GET": READERS},
    "api:stats_value_list": {"GET": READERS},
    "api:stats_value_save": {"POST": ENTRY},
    "api:stats_value_transition": {"POST": ENTRY},
    "api:stats_value_import": {"POST": ENTRY},
    "api:stats_summary": {"GET": READERS},
    "api:parks_profile": {"GET": READERS},
}

# Menu entries: shown to users whose roles the policy allows for GET; in the 集聚区 group.
NAV: list[MenuEntry] = [
    MenuEntry("stats:summary", "集聚区综述", "parks"),
    MenuEntry("stats:entry", "指标填报", "parks"),
    MenuEntry("stats:review", "指标审核", "parks"),
    MenuEntry("stats:settings", "统计设置", "parks"),
]
