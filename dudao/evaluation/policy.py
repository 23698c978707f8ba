"""Who may call the URLs of 省级考评 (merged into dudao.policy.POLICY), and its menu entries.

Evaluation results of every park of the province are comparison data: every business role
reads them. Configuring regimes, entering raw values, computing and importing the province's
published lists is the work of 督查员 (the city 督查室 keeps the provincial evaluation files);
services check the role again.
"""

from __future__ import annotations

from dudao.core.policy import Rules, roles
from dudao.core.roles import Role

R = Role
READERS = roles(R.REPORTER, R.REVIEWER, R.SUPERVISOR, R.JUDGE, R.LEADER)
EDITORS = roles(R.SUPERVISOR)

POLICY: dict[str, Rules] = {
    "evaluation:comparison": {"GET": READERS},
    "evaluation:parks": {"GET": READERS},
    "evaluation:regime_list": {"GET": READERS},
    "evaluation:regime_create": {"GET": EDITORS, "POST": EDITORS},
    "evaluation:regime_detail": {"GET": READERS},
    "evaluation:regime_edit": {"GET": EDITORS, "POST": EDITORS},
    "evaluation:regime_config": {"POST": EDITORS},
    "evaluation:indicator_create": {"GET": EDITORS, "POST": EDITORS},
    "evaluation:indicator_edit": {"GET": EDITORS, "POST": EDITORS},
    "evaluation:results": {"GET": READERS},
    "evaluation:inputs": {"GET": READERS, "POST": EDITORS},
    "evaluation:inputs_export": {"GET": READERS},
    "evaluation:compute": {"POST": EDITORS},
    "evaluation:result_set_delete": {"POST": EDITORS},
    "evaluation:result_detail": {"GET": READERS},
    "evaluation:import": {"GET": EDITORS, "POST": EDITORS},
    "evaluation:import_template": {"GET": EDITORS},
    # API
    "api:evaluation_regime_list": {"GET": READERS},
    "api:evaluation_regime_detail": {"GET": READERS},
    "api:evaluation_ranking": {"GET": READERS},
    "api:evaluation_comparison": {"GET": READERS},
    "api:evaluation_result_detail": {"GET": READERS},
    "api:evaluation_compute": {"POST": EDITORS},
}

# (URL name, menu label): shown to users whose roles the policy allows for GET.
NAV: list[tuple[str, str]] = [("evaluation:comparison", "省级考评")]
