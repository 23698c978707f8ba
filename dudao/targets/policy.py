"""Who may call the URLs of 年度目标 (merged into dudao.policy.POLICY), and its menu entries.

Readers: 填报员, 审核员, 督查员, 领导 — the scope decides which rows (a county sees its own).
Editors: 督查员 (the city's 督查室/发改委 users) load sheets, 下达 them, edit rows, set classes
and thresholds, and turn weak links into 督查督办 tasks.
"""

from __future__ import annotations

from dudao.accounts.roles import Role
from dudao.core.policy import Rules, roles

R = Role
READERS = roles(R.REPORTER, R.REVIEWER, R.SUPERVISOR, R.LEADER)
EDITORS = roles(R.SUPERVISOR)

POLICY: dict[str, Rules] = {
    "targets:set_list": {"GET": READERS},
    "targets:set_detail": {"GET": READERS},
    "targets:set_approve": {"POST": EDITORS},
    "targets:standings": {"GET": READERS},
    "targets:weak_links": {"GET": READERS},
    "targets:import": {"GET": EDITORS, "POST": EDITORS},
    "targets:row_edit": {"GET": EDITORS, "POST": EDITORS},
    "targets:improve": {"POST": EDITORS},
    "targets:settings": {"GET": READERS, "POST": EDITORS},
    "targets:classes": {"GET": READERS, "POST": EDITORS},
    # API
    "api:targets_set_list": {"GET": READERS},
    "api:targets_set_detail": {"GET": READERS},
    "api:targets_progress": {"GET": READERS},
    "api:targets_standings": {"GET": READERS},
    "api:targets_weak_links": {"GET": READERS},
    "api:targets_improve": {"POST": EDITORS},
}

# (URL name, menu label): shown to users whose roles the policy allows for GET.
NAV: list[tuple[str, str]] = [
    ("targets:set_list", "年度目标"),
    ("targets:standings", "目标分类排队"),
]
