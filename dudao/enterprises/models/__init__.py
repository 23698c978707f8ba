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

__all__ = [
    "Adjustment",
    "AnnualValue",
    "Appeal",
    "Enterprise",
    "EnterpriseStatus",
    "EvaluationResult",
    "EvaluationRun",
    "FactorPolicy",
    "Regime",
    "RegimeItem",
]
