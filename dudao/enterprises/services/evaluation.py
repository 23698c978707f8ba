"""The 亩均效益 evaluation: regimes as data, 加分/减分, the yearly run (one pass in Python over
value tuples, results bulk-created) and appeals whose re-run changes only the appellant.

An appeal re-run scores the appellant's corrected figures against the yardstick the run used
(its benchmarks and average item scores, kept with the run) and places the new published
score among the other enterprises' published scores with the same N: the other enterprises'
results, ranks and grades do not move (they were published and are not re-opened by someone
else's appeal)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connections, router, transaction
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.bulk import fast_insert, fetch_rows
from dudao.core.exceptions import DomainError, InvalidTransition, full_clean_or_raise
from dudao.core.numbers import ZERO, FigureError, sub
from dudao.core.policies import require_role
from dudao.core.roles import Role
from dudao.core.scoping import scope_path_of
from dudao.core.versions import check_version
from dudao.enterprises import scoring
from dudao.enterprises.models import (
    Adjustment,
    AnnualValue,
    Appeal,
    Enterprise,
    EvaluationResult,
    EvaluationRun,
    FactorPolicy,
    Regime,
    RegimeItem,
)
from dudao.enterprises.rules import DATA_ITEMS, Bands
from dudao.enterprises.services.registry import MANAGER_ROLES, _save_annual_values
from dudao.enterprises.services.rollups import (
    RollupRow,
    publish_rollups,
    registry_land_of,
    units_of,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User

APPEAL_ROLES = (Role.REPORTER, Role.SUPERVISOR)
APPEAL_SOURCE = "申诉更正"


@transaction.atomic(durable=True)
def save_regime(
    *, actor: User, year: int, name: str, items: Sequence[Mapping[str, Any]], **fields: Any
) -> Regime:
    """Create or replace a year's regime with its items (规上 and 规下). Refused once the year
    has been evaluated: a published evaluation keeps the rules it was made with."""
    require_role(actor, *MANAGER_ROLES)
    if EvaluationRun.objects.filter(year=year).exists():
        raise InvalidTransition(f"{year}年度已开展评价，评价办法不能再修改。")
    allowed = {
        "source_doc",
        "band_a",
        "band_b",
        "band_c",
        "bonus_cap",
        "penalty_cap",
        "score_decimals",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(f"未知字段：{'、'.join(sorted(unknown))}")
    regime = Regime.objects.filter(year=year).first() or Regime(year=year)
    before = None if regime.pk is None else {"name": regime.name, "items": regime.items.count()}
    regime.name = name
    for key, value in fields.items():
        setattr(regime, key, value)
    full_clean_or_raise(regime, validate_unique=False)
    regime.save()
    regime.items.all().delete()
    rows = []
    for order, data in enumerate(items):
        row = RegimeItem(regime=regime, sort_order=order, **data)
        full_clean_or_raise(row, exclude=["regime"], validate_unique=False)
        rows.append(row)
    seen = {(r.scale, r.metric) for r in rows}
    if len(seen) != len(rows):
        raise DomainError("同一类企业的评价指标不能重复。")
    if not rows:
        raise DomainError("评价办法至少应有一项评价指标。")
    RegimeItem.objects.bulk_create(rows)
    record_event(
        actor=actor,
        action="enterprises.regime.save",
        obj=regime,
        before=before,
        after={
            "year": year,
            "name": name,
            "items": [(r.scale, r.metric, str(r.weight)) for r in rows],
        },
    )
    return regime


def spec_of(regime: Regime) -> scoring.Spec:
    """The scoring engine's view of a regime."""
    items: dict[str, list[scoring.ItemSpec]] = defaultdict(list)
    for item in regime.items.all():
        items[item.scale].append(
            scoring.ItemSpec(
                metric=item.metric,
                weight=item.weight,
                benchmark=item.benchmark,
                benchmark_value=item.benchmark_value,
                cap=item.cap,
                missing=item.missing,
            )
        )
    return scoring.Spec(
        items=dict(items),
        bands=Bands(regime.band_a, regime.band_b, regime.band_c),
        bonus_cap=regime.bonus_cap,
        penalty_cap=regime.penalty_cap,
        decimals=regime.score_decimals,
    )


@transaction.atomic(durable=True)
def add_adjustment(
    *, actor: User, enterprise: Enterprise, year: int, points: Decimal, reason: str
) -> Adjustment:
    """Record a 加分 (positive) or 减分 (negative) with its reason; used by the next run."""
    require_role(actor, *MANAGER_ROLES)
    if not Enterprise.objects.visible_to(actor).filter(pk=enterprise.pk).exists():
        raise DomainError("企业不存在或不在您的管理范围内。")
    if not reason.strip():
        raise DomainError("须填写加减分事由。", field="reason")
    row = Adjustment(enterprise=enterprise, year=year, points=points, reason=reason.strip())
    full_clean_or_raise(row)
    row.save()
    record_event(
        actor=actor,
        action="enterprises.adjustment.add",
        obj=enterprise,
        organisation=enterprise.organisation,
        after={"year": year, "points": str(points), "reason": row.reason},
    )
    return row


def _subjects(
    enterprises: Sequence[tuple[Any, ...]],
    values: Mapping[int, dict[str, Decimal]],
    adjustments: Mapping[int, list[Decimal]],
) -> list[scoring.Subject]:
    subjects = []
    for pk, park, _org, above, ungraded, own, leased in enterprises:
        data = values.get(pk)
        if not data:
            continue
        if "land" not in data:
            land = registry_land_of(own, leased)
            if land is not None:
                data["land"] = land
        points = adjustments.get(pk, ())
        subjects.append(
            scoring.Subject(
                key=pk,
                park=park,
                scale="above" if above else "below",
                data=data,
                ungraded=ungraded,
                bonus=sum((p for p in points if p > 0), ZERO),
                penalty=sub(ZERO, sum((p for p in points if p < 0), ZERO)),
            )
        )
    return subjects


def _result(
    run: EvaluationRun, outcome: scoring.Outcome, org: int, park: int | None
) -> EvaluationResult:
    return EvaluationResult(
        run=run,
        enterprise_id=outcome.key,
        organisation_id=org,
        park_id=park,
        scale=outcome.scale,
        items=scoring.items_json(outcome.items),
        item_score=outcome.item_score.quantize(Decimal("0.0001")),
        bonus=outcome.bonus,
        penalty=outcome.penalty,
        total=outcome.total,
        rank=outcome.rank,
        ranked_count=outcome.count,
        percentile=outcome.percentile,
        grade=outcome.grade,
        graded=outcome.graded,
        ungraded_class=outcome.ungraded,
    )


@transaction.atomic(durable=True)
def run_evaluation(*, actor: User, year: int) -> EvaluationRun:
    """Evaluate every enterprise in the actor's scope for `year` under that year's regime.
    Enterprises without any figure for the year are counted as not evaluated (无数据)."""
    return _run_evaluation(actor=actor, year=year)


@transaction.atomic
def _run_evaluation(*, actor: User, year: int) -> EvaluationRun:
    """The body of `run_evaluation`, for the demo that composes it in its own transaction."""
    require_role(actor, *MANAGER_ROLES)
    path = scope_path_of(actor)
    regime = Regime.objects.filter(year=year).prefetch_related("items").first()
    if regime is None or path is None:
        raise DomainError(f"{year}年度尚未制定亩均效益评价办法。")
    spec = spec_of(regime)
    visible = Enterprise.objects.visible_to(actor).exclude(status=Enterprise.Status.DEREGISTERED)
    enterprises = list(
        visible.values_list(
            "id",
            "park_id",
            "organisation_id",
            "above_scale",
            "ungraded_class",
            "land_own_mu",
            "land_leased_mu",
        ).order_by("pk")  # a fixed order: sums of 28-digit Decimals depend on it
    )
    values: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for pk, item, value in fetch_rows(
        AnnualValue.objects.filter(year=year, enterprise__in=visible.values("pk"))
        .values_list("enterprise_id", "item", "value")
        .order_by()
    ):
        values[pk][item] = value
    adjustments: dict[int, list[Decimal]] = defaultdict(list)
    for pk, points in Adjustment.objects.filter(
        year=year, enterprise__in=visible.values("pk")
    ).values_list("enterprise_id", "points"):
        adjustments[pk].append(points)
    subjects = _subjects(enterprises, values, adjustments)
    try:
        outcomes, yard = scoring.evaluate(spec, subjects)
    except FigureError as exc:
        raise DomainError(str(exc)) from None
    EvaluationRun.objects.filter(year=year, scope_path=path, is_current=True).update(
        is_current=False
    )
    benchmarks, averages = yard.as_json()
    counts: dict[str, Any] = {
        "enterprises": len(enterprises),
        "evaluated": len(outcomes),
        "no_data": len(enterprises) - len(outcomes),
        "graded": sum(1 for o in outcomes if o.graded),
    }
    run = EvaluationRun.objects.create(
        regime=regime,
        year=year,
        scope_path=path,
        benchmarks=benchmarks,
        averages=averages,
        counts=counts,
        created_by=actor,
    )
    where = {pk: (org, park) for pk, park, org, *_ in enterprises}
    _insert_results(run, outcomes, where)
    committees = dict(
        visible.filter(park__isnull=False)
        .values_list("park_id", "park__organisation_id")
        .order_by()
        .distinct()
    )
    data = {s.key: s.data for s in subjects}
    rollups = publish_rollups(
        actor,
        run,
        rows=[
            RollupRow(
                where[o.key][0],
                committees.get(where[o.key][1]),
                o.grade,
                data[o.key].get("tax"),
                data[o.key].get("land"),
            )
            for o in outcomes
        ],
    )
    record_event(
        actor=actor,
        action="enterprises.evaluation.run",
        obj=run,
        object_repr=f"{year}年度亩均效益评价",
        after={"year": year, "regime": regime.pk, **counts, "rollups_locked": rollups.locked},
    )
    return run


RESULT_COLUMNS = (
    "run_id",
    "enterprise_id",
    "organisation_id",
    "park_id",
    "scale",
    "items",
    "item_score",
    "bonus",
    "penalty",
    "total",
    "rank",
    "ranked_count",
    "percentile",
    "grade",
    "graded",
    "ungraded_class",
    "is_current",
    "created_at",
)


def _insert_results(
    run: EvaluationRun,
    outcomes: Sequence[scoring.Outcome],
    where: Mapping[int, tuple[int, int | None]],
) -> None:
    """Insert a run's results as plain rows (core.bulk.fast_insert: COPY on PostgreSQL,
    executemany on SQLite). This is bulk_create without Django's per-field preparation of
    18 columns × 60,000 rows, and on PostgreSQL one COPY instead of 60,000 INSERT statements;
    the values are the same ones `_result` builds (see the golden run test)."""
    items_field = EvaluationResult._meta.get_field("items")
    connection = connections[router.db_for_write(EvaluationResult)]
    created = connection.ops.adapt_datetimefield_value(timezone.now())
    quantum = Decimal("0.0001")
    prep = items_field.get_db_prep_save
    items_json = scoring.items_json
    run_pk = run.pk
    fast_insert(
        EvaluationResult,
        RESULT_COLUMNS,
        (
            (
                run_pk,
                o.key,
                *where[o.key],
                o.scale,
                prep(items_json(o.items), connection),
                o.item_score.quantize(quantum),
                o.bonus,
                o.penalty,
                o.total,
                o.rank,
                o.count,
                o.percentile,
                o.grade,
                o.graded,
                o.ungraded,
                True,
                created,
            )
            for o in outcomes
        ),
    )


def _corrections(corrections: Mapping[str, Any]) -> dict[str, Decimal]:
    clean: dict[str, Decimal] = {}
    for item, value in corrections.items():
        if item not in DATA_ITEMS:
            raise DomainError(f"未知数据项：{item}", field="corrections")
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            raise DomainError(
                f"“{DATA_ITEMS[item].label}”应为数字。", field="corrections"
            ) from None
        if not number.is_finite() or number < 0 or abs(number) >= Decimal("1e13"):
            raise DomainError(f"“{DATA_ITEMS[item].label}”数值不正确。", field="corrections")
        clean[item] = number.quantize(Decimal("0.0001"))
    return clean


@transaction.atomic(durable=True)
def file_appeal(
    *, actor: User, result: EvaluationResult, reason: str, corrections: Mapping[str, Any]
) -> Appeal:
    """File an appeal (申诉) against a current result, with the reason and corrected figures."""
    require_role(actor, *APPEAL_ROLES)
    if (
        not EvaluationResult.objects.visible_to(actor)
        .filter(pk=result.pk, is_current=True)
        .exists()
    ):
        raise DomainError("评价结果不存在或不在您的数据范围内。")
    if not reason.strip():
        raise DomainError("须填写申诉理由。", field="reason")
    if result.appeals.filter(status=Appeal.Status.SUBMITTED).exists():
        raise InvalidTransition("该评价结果已有待处理的申诉。")
    clean = _corrections(corrections)
    appeal = Appeal(
        result=result,
        reason=reason.strip(),
        corrections={k: str(v) for k, v in clean.items()},
        created_by=actor,
    )
    full_clean_or_raise(appeal)
    appeal.save()
    record_event(
        actor=actor,
        action="enterprises.appeal.file",
        obj=appeal,
        organisation=result.organisation,
        after={"result": result.pk, "reason": appeal.reason, "corrections": appeal.corrections},
    )
    return appeal


@transaction.atomic(durable=True)
def decide_appeal(
    *, actor: User, appeal: Appeal, version: int | None, accept: bool, decision: str
) -> Appeal:
    """Accept (apply the corrections and re-run the appellant) or reject an appeal."""
    require_role(actor, *MANAGER_ROLES)
    locked = (
        Appeal.objects.select_for_update()
        .filter(pk=appeal.pk, result__in=EvaluationResult.objects.visible_to(actor).values("pk"))
        .select_related("result__run__regime", "result__enterprise")
        .first()
    )
    if locked is None:
        raise DomainError("申诉不存在或不在您的数据范围内。")
    check_version(locked, version, what="申诉")
    if locked.status != Appeal.Status.SUBMITTED:
        raise InvalidTransition("该申诉已处理。")
    if not decision.strip():
        raise DomainError("须填写处理意见。", field="decision")
    result = locked.result
    if accept:
        if not result.is_current:
            raise InvalidTransition("该评价结果已被新的结果取代，请对现行结果申诉。")
        _rerun_one(actor, locked, result)
    locked.status = Appeal.Status.ACCEPTED if accept else Appeal.Status.REJECTED
    locked.decision = decision.strip()
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.version += 1
    locked.save()
    record_event(
        actor=actor,
        action="enterprises.appeal.decide",
        obj=locked,
        organisation=result.organisation,
        after={"status": locked.status, "decision": locked.decision},
    )
    return locked


def _rerun_one(actor: User, appeal: Appeal, result: EvaluationResult) -> EvaluationResult:
    run = result.run
    enterprise = result.enterprise
    corrected = {k: (Decimal(v), APPEAL_SOURCE) for k, v in appeal.corrections.items()}
    _save_annual_values(actor=actor, enterprise=enterprise, year=run.year, values=corrected)
    data = dict(
        AnnualValue.objects.filter(enterprise=enterprise, year=run.year).values_list(
            "item", "value"
        )
    )
    points = list(
        Adjustment.objects.filter(enterprise=enterprise, year=run.year).values_list(
            "points", flat=True
        )
    )
    row = (
        enterprise.pk,
        result.park_id,
        result.organisation_id,
        result.scale == "above",
        result.ungraded_class,
        enterprise.land_own_mu,
        enterprise.land_leased_mu,
    )
    subject = _subjects([row], {enterprise.pk: data}, {enterprise.pk: points})[0]
    spec = spec_of(run.regime)
    yard = scoring.Yardstick.from_json(run.benchmarks, run.averages)
    outcome = scoring.score_one(spec, subject, yard)
    if outcome.graded and result.ranked_count:
        others = (
            EvaluationResult.objects.filter(
                run=run, scale=result.scale, graded=True, is_current=True
            )
            .exclude(enterprise=enterprise)
            .values_list("total", flat=True)
        )
        scoring.place(
            outcome, scoring.rank_among(outcome.total, others), result.ranked_count, spec.bands
        )
    result.is_current = False
    result.save(update_fields=["is_current"])
    new = _result(run, outcome, result.organisation_id, result.park_id)
    new.appeal = appeal
    new.save()
    rollups = publish_rollups(actor, run, units_of(result))
    record_event(
        actor=actor,
        action="enterprises.evaluation.appeal_rerun",
        obj=new,
        organisation=result.organisation,
        before={"total": str(result.total), "rank": result.rank, "grade": result.grade},
        after={
            "total": str(new.total),
            "rank": new.rank,
            "grade": new.grade,
            "rollups_locked": rollups.locked,
        },
    )
    return new


@transaction.atomic(durable=True)
def save_factor_policies(
    *, actor: User, regime: Regime, rows: Sequence[Mapping[str, Any]]
) -> list[FactorPolicy]:
    """Replace the year's factor policy table (grade, factor, measure, source)."""
    require_role(actor, *MANAGER_ROLES)
    built = []
    for order, data in enumerate(rows):
        row = FactorPolicy(regime=regime, sort_order=order, **data)
        full_clean_or_raise(row, exclude=["regime"])
        built.append(row)
    before = list(regime.factor_policies.values_list("grade", "factor", "measure"))
    regime.factor_policies.all().delete()
    FactorPolicy.objects.bulk_create(built)
    record_event(
        actor=actor,
        action="enterprises.factor_policy.save",
        obj=regime,
        before={"rows": before},
        after={"rows": [(r.grade, r.factor, r.measure) for r in built]},
    )
    return built
