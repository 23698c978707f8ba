"""Who may call the URLs of 领导驾驶舱 (merged into dudao.policy.POLICY), and its menu entries.

The cockpit is for 领导 and 督查员 (scope decides whether it is the city's or a county's);
the map layout and the boundary outline are reference data kept by the 系统管理员.
"""

from __future__ import annotations

from dudao.core.policy import Rules, roles
from dudao.core.roles import Role

R = Role
VIEWERS = roles(R.LEADER, R.SUPERVISOR)
SYSADMIN = roles(R.SYSADMIN)

POLICY: dict[str, Rules] = {
    "cockpit:home": {"GET": VIEWERS},
    "cockpit:wall": {"GET": VIEWERS},
    "cockpit:outline": {"GET": VIEWERS},
    "cockpit:layout": {"GET": SYSADMIN, "POST": SYSADMIN},
    "cockpit:outline_upload": {"POST": SYSADMIN},
    "cockpit:outline_retire": {"POST": SYSADMIN},
    "api:cockpit": {"GET": VIEWERS},
}

NAV: list[tuple[str, str]] = [
    ("cockpit:home", "领导驾驶舱"),
    ("cockpit:layout", "县区方块图"),
]
