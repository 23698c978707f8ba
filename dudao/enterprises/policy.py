"""Who may call the URLs of the enterprises app (merged into dudao.policy.POLICY), and its menu."""

from __future__ import annotations

from dudao.core.policy import Rules, roles
from dudao.core.roles import Role

READERS = roles(Role.REPORTER, Role.REVIEWER, Role.SUPERVISOR, Role.JUDGE, Role.LEADER)

POLICY: dict[str, Rules] = {
    "enterprises:list": {"GET": READERS},
    "enterprises:detail": {"GET": READERS},
    "enterprises:grades": {"GET": READERS},
    "enterprises:grades_export": {"GET": READERS},
    "api:enterprises_list": {"GET": READERS},
    "api:enterprises_detail": {"GET": READERS},
    "api:enterprises_results": {"GET": READERS},
}

NAV: list[tuple[str, str]] = [
    ("enterprises:list", "企业名录"),
    ("enterprises:grades", "亩均效益评价"),
]
