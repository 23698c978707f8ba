"""Writes of 省级考评. Only 督查员 (the city's 督查室, which keeps the provincial evaluation
files) configures regimes, enters inputs, computes and imports; every change is one audit event
in its own transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError, full_clean_or_raise
from dudao.core.policies import require_role
from dudao.core.roles import Role
from dudao.core.snapshot import diff, jsonable, snapshot
from dudao.core.versions import check_version
from dudao.evaluation import scoring
from dudao.evaluation.models import (
    Dimension,
    Indicator,
    InputValue,
    Regime,
    Result,
    ResultSet,
    StarAward,
    StarRule,
    Title,
    TitleKind,
    VetoGate,
)
from dudao.parks.selectors import reference_parks

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.parks.models import Park

MIN_YEAR, MAX_YEAR = 2000, 2100
REGIME_FIELDS = (
    "code",
    "name",
    "first_year",
    "last_year",
    "source_doc",
    "description",
    "predecessor",
    "strong_size",
    "fast_size",
    "fast_min_gain",
    "fast_excludes_strong",
    "score_decimals",
    "star_max",
    "is_active",
)


def _require(actor: User) -> None:
    require_role(actor, Role.SUPERVISOR)


def _save(instance: Any, message: str, **clean: Any) -> None:
    full_clean_or_raise(instance, **clean)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise DomainError(message) from None


def _check_year(regime: Regime, year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError(f"年度应在 {MIN_YEAR}–{MAX_YEAR} 之间。", field="year")
    if year > timezone.localdate().year:
        raise DomainError(f"{year}年尚未到来，不能录入或计算该年度的考评数据。", field="year")
    if not regime.covers(year):
        raise DomainError(
            f"{year}年不在「{regime.name}」的适用年度（{regime.years_label}）内。", field="year"
        )


def _clean_text(value: str | None) -> str:
    return (value or "").strip()


# --- Regimes and their configuration ---------------------------------------------------------


@transaction.atomic
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


@transaction.atomic
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


@transaction.atomic
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


@transaction.atomic
def delete_dimension(*, actor: User, dimension: Dimension) -> None:
    """Remove a dimension that no indicator uses any more."""
    _require(actor)
    if dimension.indicators.exists():
        raise DomainError("该维度下仍有指标，请先移走或删除这些指标。")
    _delete(actor, dimension, "evaluation.dimension_delete", dimension.name)


@transaction.atomic
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


@transaction.atomic
def delete_indicator(*, actor: User, indicator: Indicator) -> None:
    """Remove an indicator (stored results keep their own copy of how they were computed)."""
    _require(actor)
    _delete(actor, indicator, "evaluation.indicator_delete", indicator.name)


@transaction.atomic
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


@transaction.atomic
def delete_gate(*, actor: User, gate: VetoGate) -> None:
    """Remove a veto gate."""
    _require(actor)
    _delete(actor, gate, "evaluation.gate_delete", gate.name)


@transaction.atomic
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


@transaction.atomic
def delete_star_rule(*, actor: User, rule: StarRule) -> None:
    """Remove a star rule; eligibility of stored results is refreshed."""
    _require(actor)
    regime = rule.regime
    _delete(actor, rule, "evaluation.star_rule_delete", f"{regime.name}：{rule.level}星级条件")
    _refresh_star_eligibility(regime)


# --- Inputs ------------------------------------------------------------------------------------


@dataclass
class Changes:
    """What a batch write did."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted

    def add(self, other: Changes) -> None:
        """Add another batch's counts to these."""
        self.created += other.created
        self.updated += other.updated
        self.deleted += other.deleted
        self.unchanged += other.unchanged


def input_codes(regime: Regime) -> dict[str, str]:
    """Code → label of everything an input row may name: the indicators, then the gates."""
    codes = {i.code: i.name for i in regime.indicators.all()}
    codes.update({g.code: f"{g.name}（否决事项，1=有，0=无）" for g in regime.gates.all()})
    return codes


def _check_inputs(regime: Regime, values: Mapping[tuple[int, str], Decimal | None]) -> set[int]:
    """Refuse unknown codes and parks, and gate values other than 0/1; return the park ids."""
    known = input_codes(regime)
    unknown = sorted({code for _, code in values} - set(known))
    if unknown:
        raise DomainError(f"本体系没有这些指标或否决事项编码：{'、'.join(unknown)}")
    park_ids = {park_id for park_id, _ in values}
    found = set(reference_parks().filter(pk__in=park_ids).values_list("pk", flat=True))
    if found != park_ids:
        raise DomainError("数据中有不存在的园区。")
    gate_codes = set(regime.gates.values_list("code", flat=True))
    for (_park_id, code), value in values.items():
        if value is not None and code in gate_codes and value not in (0, 1):
            raise DomainError(f"否决事项「{code}」只能填 1（有）或 0（无）。")
    return park_ids


@transaction.atomic
def set_inputs(
    *,
    actor: User,
    regime: Regime,
    year: int,
    values: Mapping[tuple[int, str], Decimal | None],
    note: str = "",
    reason: str = "",
) -> Changes:
    """Write raw values keyed by (park id, indicator/gate code); None removes a value.

    One audit event holds every changed cell (before → after); an unchanged batch writes
    nothing and records nothing.
    """
    _require(actor)
    _check_year(regime, year)
    park_ids = _check_inputs(regime, values)
    existing = {
        (v.park_id, v.code): v
        for v in InputValue.objects.select_for_update().filter(
            regime=regime, year=year, park_id__in=park_ids
        )
    }
    changes = Changes()
    now = timezone.now()
    new_rows: list[InputValue] = []
    updated_rows: list[InputValue] = []
    removed: list[int] = []
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for (park_id, code), raw in sorted(values.items()):
        key = f"{park_id}:{code}"
        row = existing.get((park_id, code))
        if raw is None:
            if row is None:
                changes.unchanged += 1
                continue
            before[key] = str(row.value)
            after[key] = None
            removed.append(row.pk)
            changes.deleted += 1
            continue
        value = raw.quantize(Decimal("0.0001"))
        if row is None:
            new_rows.append(
                InputValue(
                    regime=regime,
                    year=year,
                    park_id=park_id,
                    code=code,
                    value=value,
                    note=note,
                    updated_by=actor,
                    updated_at=now,
                )
            )
            after[key] = str(value)
            changes.created += 1
        elif row.value != value:
            before[key], after[key] = str(row.value), str(value)
            row.value, row.updated_by, row.updated_at = value, actor, now
            row.note = note or row.note
            updated_rows.append(row)
            changes.updated += 1
        else:
            changes.unchanged += 1
    if not changes.changed:
        return changes
    InputValue.objects.bulk_create(new_rows, batch_size=1000)
    InputValue.objects.bulk_update(
        updated_rows, ["value", "note", "updated_by", "updated_at"], batch_size=1000
    )
    InputValue.objects.filter(pk__in=removed).delete()
    record_event(
        actor=actor,
        action="evaluation.inputs_set",
        obj=regime,
        before=before or None,
        after={"year": year, "values": after},
        reason=reason,
        object_repr=f"{regime.name} {year}年原始数据（{changes.changed}项）",
    )
    return changes


# --- Results ---------------------------------------------------------------------------------


def _specs(regime: Regime) -> tuple[list[scoring.IndicatorSpec], list[scoring.GateSpec]]:
    indicators = [
        scoring.IndicatorSpec(
            code=i.code,
            name=i.name,
            method=i.method,
            weight=Decimal(i.weight),
            params=i.params,
            dimension=i.dimension.name if i.dimension else "",
            unit=i.unit,
        )
        for i in regime.indicators.select_related("dimension")
    ]
    gates = [scoring.GateSpec(g.code, g.name, g.effect) for g in regime.gates.all()]
    return indicators, gates


def _star_specs(regime: Regime) -> list[scoring.StarRuleSpec]:
    return [
        scoring.StarRuleSpec(r.level, r.min_score, r.max_rank, r.conditions)
        for r in regime.star_rules.all()
    ]


def _inputs_by_park(regime: Regime, year: int) -> dict[int, dict[str, Decimal]]:
    inputs: dict[int, dict[str, Decimal]] = {}
    for park_id, code, value in InputValue.objects.filter(regime=regime, year=year).values_list(
        "park_id", "code", "value"
    ):
        inputs.setdefault(park_id, {})[code] = value
    return inputs


def _replace_result_set(
    *, actor: User, regime: Regime, year: int, source: str, source_doc: str, results: list[Result]
) -> ResultSet:
    ResultSet.objects.filter(regime=regime, year=year).delete()
    result_set = ResultSet.objects.create(
        regime=regime,
        year=year,
        source=source,
        source_doc=source_doc,
        parks=len(results),
        made_by=actor,
        made_at=timezone.now(),
    )
    for result in results:
        result.result_set = result_set
    Result.objects.bulk_create(results, batch_size=500)
    _derive(regime, year)
    return result_set


@transaction.atomic
def compute_results(*, actor: User, regime: Regime, year: int) -> ResultSet:
    """Score every park with inputs for the year, rank them, derive 十强/十快 and star
    eligibility; replaces an earlier computed result set (never a published one)."""
    _require(actor)
    regime = Regime.objects.select_for_update().get(pk=regime.pk)
    _check_year(regime, year)
    current = ResultSet.objects.filter(regime=regime, year=year).first()
    if current is not None and current.source == ResultSet.Source.IMPORTED:
        raise DomainError(
            f"{year}年已导入省级公布的结果，不能用计算结果覆盖。如确需重算，请先删除该年度结果。"
        )
    indicators, gates = _specs(regime)
    if not indicators:
        raise DomainError("本体系还没有考评指标，无法计算。")
    inputs = _inputs_by_park(regime, year)
    if not inputs:
        raise DomainError(f"{year}年还没有任何原始数据，无法计算。")
    scored = scoring.score_all(indicators, gates, inputs, decimals=regime.score_decimals)
    results = []
    for park_id, park in scored.items():
        total_line = (
            f"指标得分合计 {park.items_total} + 加分 {park.bonus} − 减分 {park.deduction} = "
            f"{park.total}"
        )
        results.append(
            Result(
                regime=regime,
                year=year,
                park_id=park_id,
                score=park.total,
                rank=park.rank,
                items_total=park.items_total,
                bonus=park.bonus,
                deduction=park.deduction,
                excluded=park.excluded,
                no_awards=park.no_awards,
                veto_reasons="；".join(park.reasons)[:500],
                detail={
                    "items": [item.as_dict() for item in park.items],
                    "inputs": jsonable(inputs[park_id]),
                    "total": total_line,
                    "decimals": regime.score_decimals,
                },
            )
        )
    result_set = _replace_result_set(
        actor=actor,
        regime=regime,
        year=year,
        source=ResultSet.Source.COMPUTED,
        source_doc="",
        results=results,
    )
    record_event(
        actor=actor,
        action="evaluation.compute",
        obj=result_set,
        after={"regime": regime.code, "year": year, "parks": len(results)},
        object_repr=str(result_set),
    )
    return result_set


@dataclass(frozen=True)
class PublishedRow:
    park: Park
    score: Decimal | None
    rank: int | None


@transaction.atomic
def publish_results(
    *, actor: User, regime: Regime, year: int, rows: Sequence[PublishedRow], source_doc: str = ""
) -> Changes:
    """Store the province's published ranking as the year's result set (replaces any other).

    The same list again changes nothing and records nothing.
    """
    _require(actor)
    regime = Regime.objects.select_for_update().get(pk=regime.pk)
    _check_year(regime, year)
    if not rows:
        raise DomainError("没有可导入的结果。")
    wanted = {r.park.pk: (r.score, r.rank) for r in rows}
    if len(wanted) != len(rows):
        raise DomainError("同一园区出现了多次。")
    current = ResultSet.objects.filter(regime=regime, year=year).first()
    if current is not None and current.source == ResultSet.Source.IMPORTED:
        have = {
            r.park_id: (r.score, r.rank)
            for r in Result.objects.filter(result_set=current).only("park_id", "score", "rank")
        }
        same = have.keys() == wanted.keys() and all(
            (have[k][0] is None if v[0] is None else have[k][0] == v[0]) and have[k][1] == v[1]
            for k, v in wanted.items()
        )
        if same and current.source_doc == source_doc:
            return Changes(unchanged=len(rows))
    results = [
        Result(
            regime=regime,
            year=year,
            park=r.park,
            score=r.score,
            rank=r.rank,
            excluded=r.rank is None,
            detail={"published": True, "source_doc": source_doc},
        )
        for r in rows
    ]
    result_set = _replace_result_set(
        actor=actor,
        regime=regime,
        year=year,
        source=ResultSet.Source.IMPORTED,
        source_doc=source_doc,
        results=results,
    )
    record_event(
        actor=actor,
        action="evaluation.publish",
        obj=result_set,
        before={"source": current.source, "parks": current.parks} if current else None,
        after={"regime": regime.code, "year": year, "parks": len(rows), "source_doc": source_doc},
        object_repr=str(result_set),
    )
    return Changes(created=len(rows)) if current is None else Changes(updated=len(rows))


@transaction.atomic
def delete_result_set(*, actor: User, result_set: ResultSet, reason: str) -> None:
    """Remove a year's results and their computed titles (imported titles and stars stay)."""
    _require(actor)
    reason = _clean_text(reason)
    if not reason:
        raise DomainError("请填写删除原因。", field="reason")
    regime, year = result_set.regime, result_set.year
    record_event(
        actor=actor,
        action="evaluation.result_set_delete",
        obj=result_set,
        before={"regime": regime.code, "year": year, "source": result_set.source},
        reason=reason,
        object_repr=str(result_set),
    )
    Title.objects.filter(regime=regime, year=year, source=Title.Source.COMPUTED).delete()
    result_set.delete()
    _derive(regime, year + 1, cascade=False)


def _previous_ranks(regime: Regime, year: int) -> dict[int, int]:
    for source in (regime, regime.predecessor):
        if source is None:
            continue
        ranks = dict(
            Result.objects.filter(regime=source, year=year - 1, rank__isnull=False).values_list(
                "park_id", "rank"
            )
        )
        if ranks:
            return ranks
    return {}


def _derive(regime: Regime, year: int, *, cascade: bool = True) -> None:
    """Recompute what follows from a year's ranks: rank changes, 十强, 十快, star eligibility.

    The next year's rank changes and 十快 depend on this year's ranks, so they follow.
    """
    results = list(Result.objects.filter(regime=regime, year=year))
    if results:
        previous = _previous_ranks(regime, year)
        for r in results:
            r.prev_rank = previous.get(r.park_id)
            r.rank_gain = None if r.rank is None or r.prev_rank is None else r.prev_rank - r.rank
        Result.objects.bulk_update(results, ["prev_rank", "rank_gain"], batch_size=500)
        Title.objects.filter(regime=regime, year=year, source=Title.Source.COMPUTED).delete()
        ranks = {r.park_id: r.rank for r in results if r.rank is not None}
        ineligible = {r.park_id for r in results if r.no_awards}
        strong = scoring.strong_list(ranks, regime.strong_size, ineligible)
        scores = {r.park_id: r.score or Decimal(0) for r in results}
        exclude = set(ineligible) | (set(strong) if regime.fast_excludes_strong else set())
        fast, changes = scoring.fast_list(
            previous,
            ranks,
            scores,
            size=regime.fast_size,
            min_gain=regime.fast_min_gain,
            exclude=exclude,
        )
        titles = [
            Title(
                regime=regime,
                year=year,
                park_id=pid,
                kind=TitleKind.STRONG,
                source=Title.Source.COMPUTED,
                basis=f"综合排名第{ranks[pid]}位",
            )
            for pid in strong
        ] + [
            Title(
                regime=regime,
                year=year,
                park_id=pid,
                kind=TitleKind.FAST,
                source=Title.Source.COMPUTED,
                basis=f"位次由第{changes[pid].previous}位升至第{changes[pid].current}位"
                f"（提升{changes[pid].gain}位）",
            )
            for pid in fast
        ]
        Title.objects.bulk_create(titles)
        _refresh_star_eligibility(regime, year=year, results=results)
    if cascade:
        for successor in [regime, *regime.successors.all()]:
            if Result.objects.filter(regime=successor, year=year + 1).exists():
                _derive(successor, year + 1, cascade=False)


def _refresh_star_eligibility(
    regime: Regime, *, year: int | None = None, results: list[Result] | None = None
) -> None:
    rules = _star_specs(regime)
    if results is None:
        qs = Result.objects.filter(regime=regime)
        results = list(qs if year is None else qs.filter(year=year))
    inputs_by_year: dict[int, dict[int, dict[str, Decimal]]] = {}
    for r in results:
        if r.year not in inputs_by_year:
            inputs_by_year[r.year] = _inputs_by_park(regime, r.year) if rules else {}
        r.star_eligible = (
            None
            if r.excluded or r.no_awards
            else scoring.star_eligibility(
                rules, r.score, r.rank, inputs_by_year[r.year].get(r.park_id, {})
            )
        )
    Result.objects.bulk_update(results, ["star_eligible"], batch_size=500)


# --- Published titles and star awards ----------------------------------------------------------


@dataclass(frozen=True)
class TitleRow:
    regime: Regime
    year: int
    park: Park
    kind: str
    source_doc: str = ""


@transaction.atomic
def import_titles(*, actor: User, rows: Sequence[TitleRow]) -> Changes:
    """Record published titles (十先进、优秀, or a published 十强/十快 list) as imported facts."""
    _require(actor)
    changes = Changes()
    created: list[Title] = []
    updated: list[Title] = []
    for row in rows:
        _check_year(row.regime, row.year)
        if row.kind not in TitleKind.values:
            raise DomainError(f"未知的称号「{row.kind}」。")
        title = Title.objects.filter(
            regime=row.regime,
            year=row.year,
            park=row.park,
            kind=row.kind,
            source=Title.Source.IMPORTED,
        ).first()
        if title is None:
            created.append(
                Title(
                    regime=row.regime,
                    year=row.year,
                    park=row.park,
                    kind=row.kind,
                    source=Title.Source.IMPORTED,
                    source_doc=row.source_doc,
                )
            )
        elif title.source_doc != row.source_doc:
            title.source_doc = row.source_doc
            updated.append(title)
        else:
            changes.unchanged += 1
    changes.created, changes.updated = len(created), len(updated)
    if changes.changed:
        Title.objects.bulk_create(created)
        Title.objects.bulk_update(updated, ["source_doc"])
        record_event(
            actor=actor,
            action="evaluation.titles_import",
            after={
                "titles": [
                    f"{t.year} {t.park_id} {t.get_kind_display()}" for t in [*created, *updated]
                ]
            },
            object_repr=f"导入称号 {changes.changed} 条",
        )
    return changes


@dataclass(frozen=True)
class StarRow:
    regime: Regime
    year: int
    park: Park
    level: int
    first_time: bool = False
    source_doc: str = ""


@transaction.atomic
def import_stars(*, actor: User, rows: Sequence[StarRow]) -> Changes:
    """Record star levels awarded by the province (facts, kept apart from computed eligibility)."""
    _require(actor)
    changes = Changes()
    created: list[StarAward] = []
    updated: list[StarAward] = []
    before: dict[str, Any] = {}
    for row in rows:
        _check_year(row.regime, row.year)
        if not 1 <= row.level <= row.regime.star_max:
            raise DomainError(f"星级应在1到{row.regime.star_max}之间，实为{row.level}。")
        award = StarAward.objects.filter(regime=row.regime, year=row.year, park=row.park).first()
        if award is None:
            created.append(
                StarAward(
                    regime=row.regime,
                    year=row.year,
                    park=row.park,
                    level=row.level,
                    first_time=row.first_time,
                    source_doc=row.source_doc,
                )
            )
        elif (award.level, award.first_time, award.source_doc) != (
            row.level,
            row.first_time,
            row.source_doc,
        ):
            before[f"{row.year}:{row.park.pk}"] = award.level
            award.level, award.first_time, award.source_doc = (
                row.level,
                row.first_time,
                row.source_doc,
            )
            updated.append(award)
        else:
            changes.unchanged += 1
    changes.created, changes.updated = len(created), len(updated)
    if changes.changed:
        StarAward.objects.bulk_create(created)
        StarAward.objects.bulk_update(updated, ["level", "first_time", "source_doc"])
        record_event(
            actor=actor,
            action="evaluation.stars_import",
            before=before or None,
            after={"stars": {f"{a.year}:{a.park_id}": a.level for a in [*created, *updated]}},
            object_repr=f"导入星级 {changes.changed} 条",
        )
    return changes


def regimes_by_code(codes: Iterable[str]) -> dict[str, Regime]:
    """Regimes named in an import file, by code (one query)."""
    return {r.code: r for r in Regime.objects.filter(code__in=set(codes))}
