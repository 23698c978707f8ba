"""Who may call the URLs of 产业集聚区 (merged into dudao.policy.POLICY), and its menu entries."""

from __future__ import annotations

from dudao.core.policy import Rules, roles
from dudao.core.roles import Role

MANAGERS = roles(Role.SUPERVISOR)  # services.MANAGER_ROLES: who loads and edits parks
READERS = roles(Role.REPORTER, Role.REVIEWER, Role.SUPERVISOR, Role.JUDGE, Role.LEADER)

POLICY: dict[str, Rules] = {
    "parks:list": {"GET": READERS},
    "parks:detail": {"GET": READERS},
    "parks:import": {"GET": MANAGERS, "POST": MANAGERS},
    "parks:import_template": {"GET": MANAGERS},
    "api:parks_list": {"GET": READERS},
    "api:parks_detail": {"GET": READERS},
}

# (URL name, menu label): shown to users whose roles the policy allows for GET.
NAV: list[tuple[str, str]] = [("parks:list", "产业集聚区")]
