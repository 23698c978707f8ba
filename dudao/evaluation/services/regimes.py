"""Regimes and their configuration: dimensions, indicators, veto gates, star rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError, full_clean_or_raise
from dudao.core.snapshot import diff, snapshot
from dudao.core.versions import check_version
from dudao.evaluation import scoring
from dudao.evaluation.models import (
    Dimension,
    Indicator,
    Regime,
    StarRule,
    VetoGate,
)
from dudao.evaluation.services.common import (
    REGIME_FIELDS,
    _clean_text,
    _require,
    _save,
)
from dudao.evaluation.services.derive import (
    _refresh_star_eligibility,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User


@transaction.atomic(durable=True)
def create_regime(*, actor: User, code: str, name: str, first_year: int, **extra: Any) -> Regime:
    """Create a regime (dimensions, indicators … are added afterwards)."""
    _require(actor)
    unknown = set(extra) - set(REGIME_FIELDS)
    if unknown:
        raise DomainError(f"不可设置的字段：{'、'.join(sorted(unknown))}")
    regime = Regime(code=_clean_text(code), name=_clean_text(name), first_year=first_year, **extra)
    _save(regime, "已有相同编码的考评体系。")
    record_event(actor=actor, action="evaluation.regime_create", obj=regime, after=snapshot(regime))
    return regime


@transaction.atomic(durable=True)
def update_regime(
    *, actor: User, regime: Regime, version: int | None = None, **changes: Any
) -> Regime:
    """Change a regime's attributes; a stale edit (version mismatch) is refused with 409."""
    _require(actor)
    regime = Regime.objects.select_for_update().get(pk=regime.pk)
    check_version(regime, version, what="考评体系")
    unknown = set(changes) - set(REGIME_FIELDS)
    if unknown:
        raise DomainError(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    if changes.get("predecessor") is not None and changes["predecessor"].pk == regime.pk:
        raise DomainError("上一体系不能是本体系自身。", field="predecessor")
    before = snapshot(regime)
    for key, value in changes.items():
        setattr(regime, key, value.strip() if isinstance(value, str) else value)
    full_clean_or_raise(regime)
    regime.version = F("version") + 1
    regime.updated_at = timezone.now()
    regime.save()
    regime.refresh_from_db()
    changed_before, changed_after = diff(before, snapshot(regime))
    record_event(
        actor=actor,
        action="evaluation.regime_update",
        obj=regime,
        before=changed_before,
        after=changed_after,
    )
    return regime


@transaction.atomic(durable=True)
def save_dimension(
    *,
    actor: User,
    regime: Regime,
    name: str,
    sort_order: int = 0,
    dimension: Dimension | None = None,
) -> Dimension:
    """Add a dimension to a regime, or rename/reorder one."""
    _require(actor)
    before = snapshot(dimension) if dimension else None
    dim = dimension or Dimension(regime=regime)
    dim.name, dim.sort_order = _clean_text(name), sort_order
    _save(dim, "本体系已有同名维度。")
    record_event(
        actor=actor,
        action="evaluation.dimension_save",
        obj=dim,
        before=before,
        after=snapshot(dim),
        object_repr=f"{regime.name}：{dim.name}",
    )
    return dim


def _delete(actor: User, obj: Any, action: str, label: str) -> None:
    record_event(actor=actor, action=action, obj=obj, before=snapshot(obj), object_repr=label)
    obj.delete()


@transaction.atomic(durable=True)
def delete_dimension(*, actor: User, dimension: Dimension) -> None:
    """Remove a dimension that no indicator uses any more."""
    _require(actor)
    if dimension.indicators.exists():
        raise DomainError("该维度下仍有指标，请先移走或删除这些指标。")
    _delete(actor, dimension, "evaluation.dimension_delete", dimension.name)


@transaction.atomic(durable=True)
def save_indicator(
    *,
    actor: User,
    regime: Regime,
    code: str,
    name: str,
    method: str,
    weight: Decimal,
    params: Mapping[str, Any],
    unit: str = "",
    dimension: Dimension | None = None,
    sort_order: int = 0,
    indicator: Indicator | None = None,
) -> Indicator:
    """Add or change a scored indicator; the method's parameters are validated here."""
    _require(actor)
    if dimension is not None and dimension.regime_id != regime.pk:
        raise DomainError("所选维度不属于本体系。", field="dimension")
    try:
        clean_params = scoring.normalise_params(method, params)
    except scoring.ScoringError as exc:
        raise DomainError(str(exc), field="params") from None
    if weight < 0:
        raise DomainError("权重不能为负数。", field="weight")
    code = _clean_text(code)
    if regime.gates.filter(code=code).exists():
        raise DomainError("该编码已被本体系的否决事项使用。", field="code")
    before = snapshot(indicator) if indicator else None
    item = indicator or Indicator(regime=regime)
    item.code, item.name, item.unit = code, _clean_text(name), _clean_text(unit)
    item.method, item.weight, item.params = method, weight, clean_params
    item.dimension, item.sort_order = dimension, sort_order
    _save(item, "本体系已有相同编码的指标。")
    record_event(
        actor=actor,
        action="evaluation.indicator_save",
        obj=item,
        before=before,
        after=snapshot(item),
        object_repr=f"{regime.name}：{item.name}",
    )
    return item


@transaction.atomic(durable=True)
def delete_indicator(*, actor: User, indicator: Indicator) -> None:
    """Remove an indicator (stored results keep their own copy of how they were computed)."""
    _require(actor)
    _delete(actor, indicator, "evaluation.indicator_delete", indicator.name)


@transaction.atomic(durable=True)
def save_gate(
    *, actor: User, regime: Regime, code: str, name: str, effect: str, gate: VetoGate | None = None
) -> VetoGate:
    """Add or change a veto gate (一票否决事项)."""
    _require(actor)
    code = _clean_text(code)
    if regime.indicators.filter(code=code).exists():
        raise DomainError("该编码已被本体系的指标使用。", field="code")
    before = snapshot(gate) if gate else None
    item = gate or VetoGate(regime=regime)
    item.code, item.name, item.effect = code, _clean_text(name), effect
    _save(item, "本体系已有相同编码的否决事项。")
    record_event(
        actor=actor, action="evaluation.gate_save", obj=item, before=before, after=snapshot(item)
    )
    return item


@transaction.atomic(durable=True)
def delete_gate(*, actor: User, gate: VetoGate) -> None:
    """Remove a veto gate."""
    _require(actor)
    _delete(actor, gate, "evaluation.gate_delete", gate.name)


@transaction.atomic(durable=True)
def save_star_rule(
    *,
    actor: User,
    regime: Regime,
    level: int,
    min_score: Decimal | None = None,
    max_rank: int | None = None,
    conditions: Sequence[Mapping[str, Any]] = (),
    source_doc: str = "",
) -> StarRule:
    """Set the conditions of one star level; eligibility of stored results is refreshed."""
    _require(actor)
    if not 1 <= level <= regime.star_max:
        raise DomainError(f"星级应在1到{regime.star_max}之间。", field="level")
    codes = set(regime.indicators.values_list("code", flat=True))
    clean: list[dict[str, str]] = []
    for cond in conditions:
        code = str(cond.get("indicator", "")).strip()
        if code not in codes:
            raise DomainError(f"指标门槛中的指标编码「{code}」不属于本体系。", field="conditions")
        try:
            minimum = scoring._num(cond.get("min"), f"「{code}」的门槛值")
        except scoring.ScoringError as exc:
            raise DomainError(str(exc), field="conditions") from None
        clean.append({"indicator": code, "min": str(minimum)})
    if min_score is None and max_rank is None and not clean:
        raise DomainError("请至少设置一个条件（综合得分、综合排名或指标门槛）。")
    rule = StarRule.objects.filter(regime=regime, level=level).first()
    before = snapshot(rule) if rule else None
    rule = rule or StarRule(regime=regime, level=level)
    rule.min_score, rule.max_rank, rule.conditions = min_score, max_rank, clean
    rule.source_doc = _clean_text(source_doc)
    _save(rule, "本体系已有该星级的条件。")
    _refresh_star_eligibility(regime)
    record_event(
        actor=actor,
        action="evaluation.star_rule_save",
        obj=rule,
        before=before,
        after=snapshot(rule),
        object_repr=f"{regime.name}：{level}星级条件",
    )
    return rule


@transaction.atomic(durable=True)
def delete_star_rule(*, actor: User, rule: StarRule) -> None:
    """Remove a star rule; eligibility of stored results is refreshed."""
    _require(actor)
    regime = rule.regime
    _delete(actor, rule, "evaluation.star_rule_delete", f"{regime.name}：{rule.level}星级条件")
    _refresh_star_eligibility(regime)


def regimes_by_code(codes: Iterable[str]) -> dict[str, Regime]:
    """Regimes named in an import file, by code (one query)."""
    return {r.code: r for r in Regime.objects.filter(code__in=set(codes))}
