"""招商引资: deals from lead to production (domain-research §5, §8.4), entry screening as data,
funds in place per month, and the signing events that decide what counts (§5.2).

A deal's data scope is its responsible unit's subtree: a county sees its own deals, the city
(督查室, 商务局 of the city) sees every county's; anything else is 404."""

from __future__ import annotations

from dudao.investment.models.batches import (
    ThreeBatchEntry,
    ThreeBatchPeriod,
)
from dudao.investment.models.chains import IndustryChain
from dudao.investment.models.deals import (
    PIPELINE,
    STAGE_DATE_FIELD,
    WAN,
    Deal,
    DealEvent,
    DealQuerySet,
    SigningEvent,
    Stage,
)
from dudao.investment.models.funds import (
    AssessmentWeight,
    DealFunding,
)
from dudao.investment.models.nodes import ChainEnterprise, ChainNode
from dudao.investment.models.screening import (
    DealCheck,
    EntryStandard,
    Metric,
    StallRule,
)

__all__ = [
    "PIPELINE",
    "STAGE_DATE_FIELD",
    "WAN",
    "AssessmentWeight",
    "ChainEnterprise",
    "ChainNode",
    "Deal",
    "DealCheck",
    "DealEvent",
    "DealFunding",
    "DealQuerySet",
    "EntryStandard",
    "IndustryChain",
    "Metric",
    "SigningEvent",
    "Stage",
    "StallRule",
    "ThreeBatchEntry",
    "ThreeBatchPeriod",
]
