"""Helpers every evaluation service shares: the role check, saving, the year window, batch
counts. Private to the services package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from dudao.core.exceptions import DomainError, full_clean_or_raise
from dudao.core.policies import require_role
from dudao.core.roles import Role
from dudao.evaluation.models import (
    Regime,
)

if TYPE_CHECKING:
    from dudao.accounts.models import User


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
