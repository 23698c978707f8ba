"""Inputs: the raw values a regime scores, entered or imported per park and year."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError
from dudao.evaluation.models import (
    InputValue,
    Regime,
)
from dudao.evaluation.services.common import (
    Changes,
    _check_year,
    _require,
)
from dudao.parks.selectors import reference_parks

if TYPE_CHECKING:
    from dudao.accounts.models import User


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
def _set_inputs(
    *,
    actor: User,
    regime: Regime,
    year: int,
    values: Mapping[tuple[int, str], Decimal | None],
    note: str = "",
    reason: str = "",
) -> Changes:
    """The body of `set_inputs`, for services of this app that compose it in their own
    transaction (a public service is durable and cannot be nested)."""
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


@transaction.atomic(durable=True)
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
    return _set_inputs(
        actor=actor, regime=regime, year=year, values=values, note=note, reason=reason
    )
