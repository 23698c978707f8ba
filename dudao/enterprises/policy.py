"""Who may call the URLs of the enterprises app (merged into dudao.policy.POLICY), and its menu."""

from __future__ import annotations

from dudao.core.policy import Rules, roles
from dudao.core.roles import Role

READERS = roles(Role.REPORTER, Role.REVIEWER, Role.SUPERVISOR, Role.JUDGE, Role.LEADER)
# Any business account may be a liaison officer; the views answer 404 for an enterprise the
# user does not liaise with.
OFFICERS = READERS
# The working accounts of a responsible department.
HANDLERS = roles(Role.REPORTER, Role.REVIEWER, Role.SUPERVISOR)
ENTERPRISE = roles(Role.ENTERPRISE)
# A demand is seen by the scope, the department, the officers and the enterprise itself.
DEMAND_READERS = roles(
    Role.REPORTER, Role.REVIEWER, Role.SUPERVISOR, Role.JUDGE, Role.LEADER, Role.ENTERPRISE
)

POLICY: dict[str, Rules] = {
    "enterprises:list": {"GET": READERS},
    "enterprises:detail": {"GET": READERS},
    "enterprises:grades": {"GET": READERS},
    "enterprises:grades_export": {"GET": READERS},
    "api:enterprises_list": {"GET": READERS},
    "api:enterprises_detail": {"GET": READERS},
    "api:enterprises_results": {"GET": READERS},
    "enterprises:mine": {"GET": OFFICERS},
    "enterprises:visit_new": {"GET": OFFICERS, "POST": OFFICERS},
    "enterprises:demand_new": {"GET": OFFICERS, "POST": OFFICERS},
    "enterprises:inbox": {"GET": HANDLERS},
    "enterprises:demand_detail": {"GET": DEMAND_READERS, "POST": DEMAND_READERS},
    "enterprises:league": {"GET": READERS},
    "enterprises:portal": {"GET": ENTERPRISE, "POST": ENTERPRISE},
    "enterprises:visit_photo": {"GET": READERS},
    "enterprises:sla": {"GET": READERS, "POST": roles(Role.SUPERVISOR)},
    "enterprises:assign": {"POST": roles(Role.SUPERVISOR)},
    "enterprises:end_liaison": {"POST": roles(Role.SUPERVISOR)},
    "enterprises:bind_account": {"POST": roles(Role.SUPERVISOR)},
    "api:enterprises_demands": {"GET": DEMAND_READERS, "POST": DEMAND_READERS},
    "api:enterprises_demand": {"GET": DEMAND_READERS},
    "api:enterprises_demand_answer": {"POST": HANDLERS},
    "api:enterprises_demand_confirm": {"POST": DEMAND_READERS},
    "api:enterprises_visits": {"GET": READERS, "POST": OFFICERS},
    "api:enterprises_visit": {"GET": READERS},
}

NAV: list[tuple[str, str]] = [
    ("enterprises:list", "企业名录"),
    ("enterprises:grades", "亩均效益评价"),
    ("enterprises:mine", "我联系的企业"),
    ("enterprises:inbox", "企业诉求办理"),
    ("enterprises:league", "部门办理排行"),
    ("enterprises:sla", "诉求办理时限"),
    ("enterprises:portal", "我的诉求"),
]
