"""Park and county rollups of the 亩均效益 evaluation, written into the statistics engine as
annual indicators (stats catalogue entries `ent_*`), not computed a second time anywhere else:
the stats pages, the cockpit and bulletins read them through `stats.selectors.annual_figures`.

Per park (its 管委会) and per county (the county government above the enterprise's managing
organisation) over the current results of a run:

* 亩均效益参评企业数 — evaluated enterprises (graded and not-graded);
* A/B/C/D类企业占比 (%) — enterprises of the grade ÷ evaluated × 100; the not-graded classes
  are managed as B and counted in B, so the four shares add up to 100 before rounding;
* 亩均税收（万元/亩） — Σ税收 ÷ Σ用地 over the evaluated enterprises with both figures (用地:
  the reported 用地面积, else own + leased land of the registry, as the evaluation reads it).

Figures are written unrounded (stats stores 4 decimals, cut) and rounded half-up only when
shown; the change against last year (较上年, 个百分点 from the displayed shares) is the stats
engine's. A figure a reviewer has approved is locked and does not move (stats refuses to move
it and the run's audit event lists it)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from dudao.core.numbers import ZERO, add, div, mul
from dudao.enterprises.models import AnnualValue, Enterprise, EvaluationResult, EvaluationRun
from dudao.enterprises.rules import Grade
from dudao.orgs.models import Organisation
from dudao.stats.services import (
    ComputedReport,
    ComputedValue,
    annual_period,
    write_computed_values,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User

EVALUATED = "ent_evaluated"
TAX_PER_MU = "ent_tax_per_mu"
SHARES = {
    Grade.A.value: "ent_grade_a_share",
    Grade.B.value: "ent_grade_b_share",
    Grade.C.value: "ent_grade_c_share",
    Grade.D.value: "ent_grade_d_share",
}
ORIGIN = "亩均效益评价汇总"
HUNDRED = Decimal(100)


@dataclass
class _Tally:
    evaluated: int = 0
    grades: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    tax: Decimal = ZERO
    land: Decimal = ZERO


def _county_of(org_ids: Iterable[int]) -> dict[int, int | None]:
    """Each organisation's county government (itself if it is one), walking up the tree."""
    kinds: dict[int, tuple[str, int | None]] = {}
    wanted = set(org_ids)
    while wanted - set(kinds):
        rows = Organisation.objects.filter(pk__in=wanted - set(kinds)).values_list(
            "pk", "kind", "parent_id"
        )
        for pk, kind, parent in rows:
            kinds[pk] = (kind, parent)
            if parent is not None and kind != Organisation.Kind.COUNTY_GOV:
                wanted.add(parent)
        if not rows:
            break
    out: dict[int, int | None] = {}
    for start in org_ids:
        node: int | None = start
        while node is not None and node in kinds and kinds[node][0] != Organisation.Kind.COUNTY_GOV:
            node = kinds[node][1]
        out[start] = node if node is not None and node in kinds else None
    return out


@dataclass(frozen=True)
class RollupRow:
    """One evaluated enterprise as the rollups count it: its managing organisation, its park's
    管委会 (organisation), its grade, and its 税收 and 用地 (the reported 用地面积, else own +
    leased land of the registry; None when missing)."""

    organisation_id: int
    park_organisation_id: int | None
    grade: str
    tax: Decimal | None
    land: Decimal | None


def stored_rows(run: EvaluationRun) -> list[RollupRow]:
    """The rollup rows of a run's current results, read back from the database."""
    current = EvaluationResult.objects.filter(run=run, is_current=True)
    results = list(
        current.values_list(
            "enterprise_id", "organisation_id", "park__organisation_id", "grade"
        ).order_by()
    )
    figures: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for pk, item, value in (
        AnnualValue.objects.filter(
            year=run.year, item__in=("tax", "land"), enterprise__in=current.values("enterprise_id")
        )
        .values_list("enterprise_id", "item", "value")
        .order_by()
    ):
        figures[pk][item] = value
    registry_land = {
        pk: (own, leased)
        for pk, own, leased in Enterprise.objects.filter(
            pk__in=current.values("enterprise_id")  # a subquery: 60,000 ids are no parameters
        )
        .values_list("pk", "land_own_mu", "land_leased_mu")
        .order_by()
        if "land" not in figures.get(pk, {})
    }
    rows = []
    for pk, org, park, grade in results:
        data = figures.get(pk, {})
        land = data.get("land")
        if land is None and pk in registry_land:
            land = registry_land_of(*registry_land[pk])
        rows.append(RollupRow(org, park, grade, data.get("tax"), land))
    return rows


def registry_land_of(own: Decimal | None, leased: Decimal | None) -> Decimal | None:
    """The 用地 the evaluation reads when no 用地面积 is reported: own + leased land of the
    registry (None when both are missing)."""
    if own is None and leased is None:
        return None
    return add(own or ZERO, leased or ZERO)


def rollup_values(
    run: EvaluationRun, units: set[int] | None = None, rows: Iterable[RollupRow] | None = None
) -> list[ComputedValue]:
    """The rollup figures of a run's current results (``rows``, read back from the database
    when not given), per park committee and county government (only ``units`` when given)
    lying wholly inside the run's scope."""
    rows = stored_rows(run) if rows is None else list(rows)
    counties = _county_of({row.organisation_id for row in rows})
    tallies: dict[int, _Tally] = defaultdict(_Tally)
    for row in rows:
        tax, land = row.tax, row.land
        for unit in {row.park_organisation_id, counties.get(row.organisation_id)} - {None}:
            assert unit is not None  # noqa: S101 - narrowed for the type checker
            if units is not None and unit not in units:
                continue
            tally = tallies[unit]
            tally.evaluated += 1
            tally.grades[row.grade] += 1
            if tax is not None and land is not None and land > 0:
                tally.tax = add(tally.tax, tax)
                tally.land = add(tally.land, land)
    covered = set(
        Organisation.objects.filter(
            pk__in=list(tallies), scope_path__startswith=run.scope_path
        ).values_list("pk", flat=True)
    )
    out = []
    for unit, tally in sorted(tallies.items()):
        if unit not in covered:  # a unit the run covers only in part (a county of a park run)
            continue
        out.append(ComputedValue(unit, EVALUATED, Decimal(tally.evaluated)))
        for grade, code in SHARES.items():
            count = Decimal(tally.grades.get(grade, 0))
            out.append(
                ComputedValue(unit, code, mul(div(count, Decimal(tally.evaluated)), HUNDRED))
            )
        if tally.land > 0:
            out.append(ComputedValue(unit, TAX_PER_MU, div(tally.tax, tally.land)))
    return out


def units_of(result: EvaluationResult) -> set[int]:
    """The rollup units an enterprise's result counts in: its park's 管委会 and its county."""
    committee = result.park.organisation_id if result.park_id and result.park else None
    units = {committee, _county_of([result.organisation_id]).get(result.organisation_id)}
    return {u for u in units if u is not None}


def publish_rollups(
    actor: User,
    run: EvaluationRun,
    units: set[int] | None = None,
    rows: Iterable[RollupRow] | None = None,
) -> ComputedReport:
    """Write the run's rollups (all units, or only ``units``) into the statistics engine, in the
    caller's transaction. ``rows``: the run's current results when the caller has them in
    memory (the yearly run), else they are read back."""
    return write_computed_values(
        actor=actor,
        period=annual_period(run.year),
        values=rollup_values(run, units, rows),
        origin=f"{run.year}年度{ORIGIN}",
    )
