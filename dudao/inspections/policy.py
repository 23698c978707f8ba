"""Who may call the URLs of 观摩督导 (merged into dudao.policy.POLICY), and its menu entries.

Every business user reads tours, schedules, published results and summaries (a county sees its
own findings and the calculation of its own score); the city's 督查员 organises; 评委 score.
"""

from __future__ import annotations

from dudao.accounts.roles import BUSINESS_ROLES, Role
from dudao.core.policy import Rules, roles

READ = roles(*BUSINESS_ROLES)
ORGANISER = roles(Role.SUPERVISOR)
JUDGE = roles(Role.JUDGE)
JUDGE_OR_ORGANISER = roles(Role.JUDGE, Role.SUPERVISOR)

POLICY: dict[str, Rules] = {
    "inspections:list": {"GET": READ},
    "inspections:create": {"GET": ORGANISER, "POST": ORGANISER},
    "inspections:provincial": {"GET": READ},
    "inspections:provincial_import": {"GET": ORGANISER, "POST": ORGANISER},
    "inspections:provincial_import_template": {"GET": ORGANISER},
    "inspections:judge_home": {"GET": JUDGE},
    "inspections:sheets": {"GET": READ},
    "inspections:sheet_edit": {"POST": ORGANISER},
    "inspections:detail": {"GET": READ},
    "inspections:plan_add": {"POST": ORGANISER},
    "inspections:edit": {"GET": ORGANISER, "POST": ORGANISER},
    "inspections:cancel": {"POST": ORGANISER},
    "inspections:site_search": {"GET": ORGANISER},
    "inspections:plan_import": {"GET": ORGANISER, "POST": ORGANISER},
    "inspections:plan_template": {"GET": ORGANISER},
    "inspections:transition": {"POST": ORGANISER},
    "inspections:schedule": {"GET": READ},
    "inspections:progress": {"GET": roles(Role.SUPERVISOR, Role.LEADER)},
    "inspections:results": {"GET": READ},
    "inspections:summary": {"GET": READ},
    "inspections:export": {"GET": READ},
    "inspections:findings": {"GET": READ},
    "inspections:vote": {"GET": JUDGE, "POST": JUDGE},
    "inspections:finding_decide": {"POST": ORGANISER},
    "inspections:score": {"GET": JUDGE, "POST": JUDGE},
    "inspections:photo": {"POST": JUDGE},
    "inspections:site_finding": {"POST": JUDGE_OR_ORGANISER},
    "inspections:card_photo": {
        "GET": roles(Role.JUDGE, Role.SUPERVISOR, Role.LEADER, Role.REVIEWER)
    },
    "api:inspection_tour_list": {"GET": READ, "POST": ORGANISER},
    "api:inspection_tour_results": {"GET": READ},
    "api:inspection_tour_progress": {"GET": roles(Role.SUPERVISOR, Role.LEADER)},
    "api:inspection_card_save": {"POST": JUDGE},
    "api:inspection_card_submit": {"POST": JUDGE},
    "api:inspection_tour_create": {"GET": READ, "POST": ORGANISER},
    "api:inspection_tour_detail": {"GET": READ, "PATCH": ORGANISER},
    "api:inspection_tour_update": {"GET": READ, "PATCH": ORGANISER},
    "api:inspection_tour_cancel": {"POST": ORGANISER},
    "api:inspection_tour_transition": {"POST": ORGANISER},
    "api:inspection_tour_publish": {"POST": ORGANISER},
    "api:inspection_group_create": {"POST": ORGANISER},
    "api:inspection_unit_create": {"POST": ORGANISER},
    "api:inspection_site_create": {"POST": ORGANISER},
    "api:inspection_site_delete": {"DELETE": ORGANISER},
    "api:inspection_judge_create": {"POST": ORGANISER},
    "api:inspection_judge_delete": {"DELETE": ORGANISER},
    "api:inspection_site_sheet": {"GET": JUDGE},
    "api:inspection_ballot": {"GET": JUDGE, "POST": JUDGE},
    "api:inspection_ballot_cast": {"GET": JUDGE, "POST": JUDGE},
}

# (URL name, menu label): shown to users whose roles the policy allows for GET.
NAV: list[tuple[str, str]] = [
    ("inspections:list", "观摩督导"),
    ("inspections:judge_home", "观摩评分"),
]
