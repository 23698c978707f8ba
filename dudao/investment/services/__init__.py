"""Writes of 招商引资. Every public function is one transaction with one audit event and (for a
deal) one timeline entry (DealEvent). Keyword-only, `actor` first.

Who may do what (roles only open the door; the scope decides the rest):
* register, edit, advance, move back, terminate a deal, report funds: 填报员 / 审核员 / 督查员
  whose data scope holds the deal's responsible unit (a county's 商务局 or the county itself);
* verify funds: 审核员 / 督查员 of a unit other than the one that reported them (as the ledger's
  close-out);
* override a failed entry screening: 督查员 only, with a reason;
* promote into the project registry: 填报员 / 督查员 (as `projects.services.create_project`).
"""

from __future__ import annotations

from dudao.investment.services._base import (
    AMOUNT_FIELDS,
    DEAL_FIELDS,
    EVIDENCED,
    LABELS,
    OVERRIDERS,
    PROMOTERS,
    SCREEN_AT,
    VERIFIERS,
    WORKERS,
    A,
    _audit,
    _check_fields,
    _event,
    _in_scope,
    _lock,
    _org,
    _require_worker,
    _save,
    county_of,
    is_worker,
    next_deal_code,
)
from dudao.investment.services.batches import (
    LIST_STAGE,
    _add_to_list,
    add_to_list,
    create_period,
    propose_production,
)
from dudao.investment.services.chains import (
    _require_chain_editor,
    add_chain_enterprise,
    add_chain_node,
)
from dudao.investment.services.deals import (
    _checked_code,
    _create_deal,
    _previous_date,
    _run_screening,
    _sign,
    _update_deal,
    advance,
    create_deal,
    move_back,
    override_screening,
    terminate,
    update_deal,
)
from dudao.investment.services.funds import (
    _report_funds,
    report_funds,
    verifier_refusal,
    verify_funds,
)
from dudao.investment.services.promotion import (
    MILESTONE_STAGE,
    PROJECT_STAGE,
    PROMOTABLE,
    TASK_DEADLINE_DAYS,
    follow_project_milestone,
    promote,
    send_to_ledger,
    send_to_supervision,
)

__all__ = [
    "AMOUNT_FIELDS",
    "DEAL_FIELDS",
    "EVIDENCED",
    "LABELS",
    "LIST_STAGE",
    "MILESTONE_STAGE",
    "OVERRIDERS",
    "PROJECT_STAGE",
    "PROMOTABLE",
    "PROMOTERS",
    "SCREEN_AT",
    "TASK_DEADLINE_DAYS",
    "VERIFIERS",
    "WORKERS",
    "A",
    "_add_to_list",
    "_audit",
    "_check_fields",
    "_checked_code",
    "_create_deal",
    "_event",
    "_in_scope",
    "_lock",
    "_org",
    "_previous_date",
    "_report_funds",
    "_require_chain_editor",
    "_require_worker",
    "_run_screening",
    "_save",
    "_sign",
    "_update_deal",
    "add_chain_enterprise",
    "add_chain_node",
    "add_to_list",
    "advance",
    "county_of",
    "create_deal",
    "create_period",
    "follow_project_milestone",
    "is_worker",
    "move_back",
    "next_deal_code",
    "override_screening",
    "promote",
    "propose_production",
    "report_funds",
    "send_to_ledger",
    "send_to_supervision",
    "terminate",
    "update_deal",
    "verifier_refusal",
    "verify_funds",
]
