"""Published titles (十先进、优秀、十强、十快) and star awards, imported as facts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction

from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError
from dudao.evaluation.models import (
    Regime,
    StarAward,
    Title,
    TitleKind,
)
from dudao.evaluation.services.common import (
    Changes,
    _check_year,
    _require,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User
    from dudao.parks.models import Park


@dataclass(frozen=True)
class TitleRow:
    regime: Regime
    year: int
    park: Park
    kind: str
    source_doc: str = ""


@transaction.atomic
def _import_titles(*, actor: User, rows: Sequence[TitleRow]) -> Changes:
    """The body of `import_titles`, for services of this app that compose it in their own
    transaction (a public service is durable and cannot be nested)."""
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


@transaction.atomic(durable=True)
def import_titles(*, actor: User, rows: Sequence[TitleRow]) -> Changes:
    """Record published titles (十先进、优秀, or a published 十强/十快 list) as imported facts."""
    return _import_titles(actor=actor, rows=rows)


@dataclass(frozen=True)
class StarRow:
    regime: Regime
    year: int
    park: Park
    level: int
    first_time: bool = False
    source_doc: str = ""


@transaction.atomic
def _import_stars(*, actor: User, rows: Sequence[StarRow]) -> Changes:
    """The body of `import_stars`, for services of this app that compose it in their own
    transaction (a public service is durable and cannot be nested)."""
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


@transaction.atomic(durable=True)
def import_stars(*, actor: User, rows: Sequence[StarRow]) -> Changes:
    """Record star levels awarded by the province (facts, kept apart from computed eligibility)."""
    return _import_stars(actor=actor, rows=rows)
