"""The industry chain map (产业图谱): nodes and enterprises of a chain."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError, NotAllowed, full_clean_or_raise
from dudao.core.policies import require_role
from dudao.core.snapshot import snapshot
from dudao.investment.models import (
    ChainEnterprise,
    ChainNode,
    Deal,
    IndustryChain,
)
from dudao.investment.services._base import (
    WORKERS,
    _org,
)
from dudao.projects import rules as project_rules

if TYPE_CHECKING:
    from dudao.accounts.models import User


# --- the industry chain map (产业图谱) ----------------------------------------------------------


def _require_chain_editor(actor: User, chain: IndustryChain) -> None:
    """The chain's own area edits it: the city's chains by city 督查员, a county's by its staff."""
    require_role(actor, *WORKERS)
    if not chain.organisation.path.startswith(_org(actor).scope_path):
        raise NotAllowed(f"只有“{chain.organisation.name}”的人员可以维护产业链“{chain.name}”。")


@transaction.atomic(durable=True)
def add_chain_node(
    *,
    actor: User,
    chain: IndustryChain,
    segment: str,
    name: str,
    coverage: str,
    industry_code: str = "",
) -> ChainNode:
    """A link of the chain (上游/中游/下游) with its GB/T 4754 code and coverage."""
    _require_chain_editor(actor, chain)
    node = ChainNode(
        chain=chain,
        segment=segment,
        name=(name or "").strip(),
        coverage=coverage,
        industry_code=project_rules.check_industry_code(industry_code),
    )
    full_clean_or_raise(node, validate_unique=True)
    node.save()
    record_event(
        actor=actor,
        action="chain.node",
        obj=node,
        organisation=chain.organisation,
        after=snapshot(node),
    )
    return node


@transaction.atomic(durable=True)
def add_chain_enterprise(
    *,
    actor: User,
    node: ChainNode,
    role: str,
    name: str,
    uscc: str = "",
    origin: str = Deal.Origin.OUT_OF_PROVINCE,
    is_fortune500: bool = False,
) -> ChainEnterprise:
    """An anchor enterprise (its USCC checked with python-stdnum) or a 招商 target of a node."""
    _require_chain_editor(actor, node.chain)
    code = project_rules.normalise_uscc(uscc, field="uscc")
    if role == ChainEnterprise.Role.ANCHOR and not code:
        raise DomainError("骨干企业须填写统一社会信用代码。", field="uscc")
    enterprise = ChainEnterprise(
        node=node,
        role=role,
        name=(name or "").strip(),
        uscc=code,
        origin=origin,
        is_fortune500=is_fortune500,
    )
    full_clean_or_raise(enterprise)
    enterprise.save()
    record_event(
        actor=actor,
        action="chain.enterprise",
        obj=enterprise,
        organisation=node.chain.organisation,
        after=snapshot(enterprise),
    )
    return enterprise
