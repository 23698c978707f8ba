"""Write-side services of the enterprises app: one transaction and one audit event per change."""

from dudao.enterprises.services.evaluation import (
    add_adjustment,
    decide_appeal,
    file_appeal,
    run_evaluation,
    save_factor_policies,
    save_regime,
)
from dudao.enterprises.services.registry import (
    MANAGER_ROLES,
    create_enterprise,
    save_annual_values,
    set_status,
    update_enterprise,
)

__all__ = [
    "MANAGER_ROLES",
    "add_adjustment",
    "create_enterprise",
    "decide_appeal",
    "file_appeal",
    "run_evaluation",
    "save_annual_values",
    "save_factor_policies",
    "save_regime",
    "set_status",
    "update_enterprise",
]
