"""Who may call the URLs of 问题台账 (merged into dudao.policy.POLICY), and its menu entries.

Roles only open the door; the services decide the rest: the responsible side (填报员/审核员 whose
scope holds the responsible unit) fixes and applies, an organisation other than the fixing one
(督查员/审核员) verifies, 督查员 reopens, the issuing side edits.
"""

from __future__ import annotations

from dudao.accounts.roles import Role
from dudao.core.policy import Rules, roles

R = Role
READERS = roles(R.REPORTER, R.REVIEWER, R.SUPERVISOR, R.JUDGE, R.LEADER)
ISSUERS = roles(R.SUPERVISOR, R.JUDGE, R.REVIEWER)
EDITORS = roles(R.SUPERVISOR, R.REVIEWER)
WORKFLOW = roles(R.REPORTER, R.REVIEWER, R.SUPERVISOR)
UPLOADERS = roles(R.REPORTER, R.REVIEWER, R.SUPERVISOR, R.JUDGE)
IMPORTERS = roles(R.SUPERVISOR, R.REVIEWER)
SUPERVISORS = roles(R.SUPERVISOR)

POLICY: dict[str, Rules] = {
    "problems:list": {"GET": READERS},
    "problems:export": {"GET": READERS},
    "problems:create": {"GET": ISSUERS, "POST": ISSUERS},
    "problems:stats": {"GET": READERS},
    "problems:import": {"GET": IMPORTERS, "POST": IMPORTERS},
    "problems:import_template": {"GET": IMPORTERS},
    "problems:categories": {"GET": READERS, "POST": SUPERVISORS},
    "problems:detail": {"GET": READERS},
    "problems:edit": {"GET": EDITORS, "POST": EDITORS},
    "problems:transition": {"POST": WORKFLOW},
    "problems:evidence_upload": {"POST": UPLOADERS},
    "problems:evidence_file": {"GET": READERS},
    # API
    # One URL per path: POST /problems shares "api:problem_list", PATCH shares "problem_detail".
    "api:problem_list": {"GET": READERS, "POST": ISSUERS},
    "api:problem_detail": {"GET": READERS, "PATCH": EDITORS},
    "api:problem_transition": {"POST": WORKFLOW},
    "api:problem_evidence_upload": {"POST": UPLOADERS},
    "api:problem_category_list": {"GET": READERS},
    "api:problem_unit_stats": {"GET": READERS},
    "api:problem_import": {"POST": IMPORTERS},
}

# (URL name, menu label): shown to users whose roles the policy allows for GET.
NAV: list[tuple[str, str]] = [("problems:list", "问题台账")]
