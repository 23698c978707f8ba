"""Models of the enterprises app: the registry and the 亩均效益 evaluation."""

from dudao.enterprises.models.evaluation import (
    Adjustment,
    Appeal,
    EvaluationResult,
    EvaluationRun,
    FactorPolicy,
    Regime,
    RegimeItem,
)
from dudao.enterprises.models.registry import AnnualValue, Enterprise, EnterpriseStatus
from dudao.enterprises.models.service import (
    Demand,
    DemandCategory,
    DemandEvent,
    DemandSlaRule,
    EnterpriseAccount,
    LiaisonAssignment,
    Visit,
    VisitPhoto,
)

__all__ = [
    "Adjustment",
    "AnnualValue",
    "Appeal",
    "Demand",
    "DemandCategory",
    "DemandEvent",
    "DemandSlaRule",
    "Enterprise",
    "EnterpriseAccount",
    "EnterpriseStatus",
    "EvaluationResult",
    "EvaluationRun",
    "FactorPolicy",
    "LiaisonAssignment",
    "Regime",
    "RegimeItem",
    "Visit",
    "VisitPhoto",
]
