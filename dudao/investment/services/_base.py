"""Shared pieces of the 招商引资 services: role sets, editable fields, scope and locking helpers,
the timeline and audit writers, deal codes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import F
from django.http import Http404
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.bounds import check_amount, check_date
from dudao.core.exceptions import DomainError, NotAllowed
from dudao.core.policies import require_role
from dudao.core.snapshot import diff, snapshot
from dudao.core.versions import check_version
from dudao.investment.models import (
    PIPELINE,
    Deal,
    DealCheck,
    DealEvent,
    Stage,
)
from dudao.orgs.models import Organisation
from dudao.projects import rules as project_rules

if TYPE_CHECKING:
    from dudao.accounts.models import User


WORKERS = (Role.REPORTER, Role.REVIEWER, Role.SUPERVISOR)
VERIFIERS = (Role.REVIEWER, Role.SUPERVISOR)
OVERRIDERS = (Role.SUPERVISOR,)
PROMOTERS = (Role.REPORTER, Role.SUPERVISOR)
A = DealEvent.Action

DEAL_FIELDS = (
    "name",
    "investor",
    "investor_origin",
    "is_fortune500",
    "responsible_org",
    "leader",
    "chain",
    "chain_node",
    "industry_code",
    "zone_level",
    "signing_kind",
    "contract_investment",
    "fixed_asset_investment",
    "out_of_province_amount",
    "foreign_amount",
    "land_mu",
    "expected_output",
    "expected_tax",
    "expected_roi",
    "plot_ratio",
    "building_coverage",
    "energy_intensity",
    "rd_intensity",
    "pollution_class",
    "tech_level",
    "planned_production_on",
)
AMOUNT_FIELDS = {
    "contract_investment": "万元",
    "fixed_asset_investment": "万元",
    "out_of_province_amount": "万元",
    "foreign_amount": "万元",
    "land_mu": "亩",
    "expected_output": "万元",
    "expected_tax": "万元",
    "expected_roi": "%",
    "plot_ratio": "",
    "building_coverage": "%",
    "energy_intensity": "吨标准煤/万元",
    "rd_intensity": "%",
}
LABELS = {
    "contract_investment": "合同投资额",
    "fixed_asset_investment": "固定资产投资",
    "out_of_province_amount": "省外资金",
    "foreign_amount": "外资",
    "land_mu": "用地面积",
    "expected_output": "达产后年产值",
    "expected_tax": "达产后年税收",
    "expected_roi": "投资回报率",
    "plot_ratio": "容积率",
    "building_coverage": "建筑系数",
    "energy_intensity": "单位产值能耗",
    "rd_intensity": "研发投入强度",
}
# Stages whose reaching needs a document (协议, 营业执照, 批复, 开工报告 …).
EVIDENCED = frozenset(PIPELINE[PIPELINE.index(Stage.SIGNED) :])
# Where the entry screening runs (§5.5): at 签约 and at 供地/立项.
SCREEN_AT: dict[str, str] = {
    Stage.SIGNED: DealCheck.Point.SIGNING,
    Stage.APPROVED: DealCheck.Point.LAND,
}


# --- helpers ------------------------------------------------------------------------------------


def _org(actor: User) -> Organisation:
    if actor.organisation is None:
        raise DomainError("您的账户未归属任何单位，不能办理招商项目。")
    return actor.organisation


def _in_scope(actor: User, org: Organisation) -> bool:
    return org.path.startswith(_org(actor).scope_path)


def is_worker(actor: User, deal: Deal) -> bool:
    """The actor may act for the deal's responsible unit."""
    org = actor.organisation
    return (
        org is not None
        and actor.has_role(*WORKERS)
        and deal.responsible_org.path.startswith(org.scope_path)
    )


def _require_worker(actor: User, deal: Deal) -> None:
    require_role(actor, *WORKERS)
    if not is_worker(actor, deal):
        raise NotAllowed(f"只有责任单位“{deal.responsible_org.name}”（或其上级）的人员可以办理。")


def _lock(actor: User, deal: Deal | int, version: int | None) -> Deal:
    pk = deal.pk if isinstance(deal, Deal) else deal
    locked = (
        Deal.objects.visible_to(actor)
        .select_for_update()
        .select_related("responsible_org", "county")
        .filter(pk=pk)
        .first()
    )
    if locked is None:
        raise Http404("招商项目不存在或不在您的数据范围内。")
    check_version(locked, version, what=f"招商项目（{locked.code}）")
    return locked


def _save(deal: Deal) -> Deal:
    deal.version = F("version") + 1
    deal.updated_at = timezone.now()
    deal.save()
    deal.refresh_from_db()
    return deal


def _event(
    deal: Deal,
    actor: User | None,
    action: str,
    *,
    on: dt.date,
    before: str = "",
    evidence: str = "",
    note: str = "",
) -> DealEvent:
    return DealEvent.objects.create(
        deal=deal,
        action=action,
        from_stage=before,
        to_stage=deal.stage,
        happened_on=on,
        evidence=evidence,
        note=note,
        actor=actor,
        organisation=actor.organisation if actor is not None else None,
    )


def _audit(actor: User, action: str, deal: Deal, before: dict[str, Any], reason: str = "") -> None:
    changed_before, changed_after = diff(before, snapshot(deal))
    record_event(
        actor=actor,
        action=action,
        obj=deal,
        organisation=deal.responsible_org,
        before=changed_before,
        after=changed_after,
        reason=reason,
    )


def _check_fields(actor: User, fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(DEAL_FIELDS)
    if unknown:
        raise DomainError(f"不可填写的字段：{'、'.join(sorted(unknown))}")
    out = dict(fields)
    for name, unit in AMOUNT_FIELDS.items():
        value = out.get(name)
        if value is None:
            continue
        label = LABELS[name]
        number = check_amount(value, unit=unit or "万元", label=label, field=name)
        if number < 0:
            raise DomainError(f"{label}不能为负数。", field=name)
        out[name] = number
    if "industry_code" in out:
        out["industry_code"] = project_rules.check_industry_code(out["industry_code"] or "")
    node = out.get("chain_node")
    if node is not None:
        chain = out.get("chain") or node.chain
        if node.chain_id != chain.pk:
            raise DomainError("产业链节点不属于所选产业链。", field="chain_node")
        out["chain"] = chain
    planned = out.get("planned_production_on")
    if planned is not None:
        check_date(planned, label="计划投产日期", field="planned_production_on")
    return out


def next_deal_code(year: int) -> str:
    """ZS2026-00001 … (numbered per year; called under the write lock of the new row)."""
    prefix = f"ZS{year}-"
    last = (
        Deal.objects.filter(code__startswith=prefix)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    return f"{prefix}{(int(last.rsplit('-', 1)[1]) + 1 if last else 1):05d}"


def county_of(org: Organisation) -> Organisation | None:
    """The county government that `org` is or lies under."""
    segments = org.path.split(".")[:-1]
    prefixes = [".".join(segments[:n]) + "." for n in range(1, len(segments) + 1)]
    return (
        Organisation.objects.filter(path__in=prefixes, kind=Organisation.Kind.COUNTY_GOV)
        .order_by("-depth")
        .first()
    )
