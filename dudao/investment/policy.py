"""Who may call the URLs of 招商引资 (merged into dudao.policy.POLICY), and its menu entries.

A county's 招商 officer is a 填报员 or 审核员 of the county's 商务局 (or of the county): no new
role. Roles only open the door; the services decide the rest (scope of the responsible unit,
verification by another unit, overrides by 督查员 only).
"""

from __future__ import annotations

from dudao.accounts.roles import Role
from dudao.core.policy import Rules, roles

R = Role
READERS = roles(R.REPORTER, R.REVIEWER, R.SUPERVISOR, R.LEADER)
WORKERS = roles(R.REPORTER, R.REVIEWER, R.SUPERVISOR)
VERIFIERS = roles(R.REVIEWER, R.SUPERVISOR)
SUPERVISORS = roles(R.SUPERVISOR)
PROMOTERS = roles(R.REPORTER, R.SUPERVISOR)
SENDERS = roles(R.REVIEWER, R.SUPERVISOR)

POLICY: dict[str, Rules] = {
    "investment:board": {"GET": READERS},
    "investment:export": {"GET": READERS},
    "investment:create": {"GET": WORKERS, "POST": WORKERS},
    "investment:deals_import": {"GET": WORKERS, "POST": WORKERS},
    "investment:deals_import_template": {"GET": WORKERS},
    "investment:funds_import": {"GET": WORKERS, "POST": WORKERS},
    "investment:funds_import_template": {"GET": WORKERS},
    "investment:figures": {"GET": READERS},
    "investment:standards": {"GET": READERS},
    "investment:detail": {"GET": READERS},
    "investment:transition": {"POST": WORKERS},
    "investment:override": {"POST": SUPERVISORS},
    "investment:promote": {"POST": PROMOTERS},
    "investment:funds": {"POST": WORKERS},
    "investment:funds_verify": {"POST": VERIFIERS},
    "investment:send": {"POST": SENDERS},
    "investment:send_task": {"POST": SUPERVISORS},
    "investment:chains": {"GET": READERS},
    "investment:batches": {"GET": READERS, "POST": SUPERVISORS},
    "investment:batch": {"GET": READERS, "POST": WORKERS},
    # API (one URL name per path: POST /deals shares "api:deal_list").
    "api:deal_list": {"GET": READERS, "POST": WORKERS},
    "api:deal_detail": {"GET": READERS, "PATCH": WORKERS},
    "api:deal_transition": {"POST": WORKERS},
    "api:deal_override": {"POST": SUPERVISORS},
    "api:deal_promote": {"POST": PROMOTERS},
    "api:deal_funds": {"POST": WORKERS},
    "api:deal_funds_verify": {"POST": VERIFIERS},
    "api:deal_send_task": {"POST": SUPERVISORS},
    "api:deal_board": {"GET": READERS},
    "api:deal_figures": {"GET": READERS},
    "api:entry_standard_list": {"GET": READERS},
    "api:three_batch_list": {"GET": READERS},
}

NAV: list[tuple[str, str]] = [("investment:board", "招商引资")]
