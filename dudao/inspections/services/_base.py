"""观摩督导 writes (`dudao.inspections.services`): shared constants and helpers."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import F
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.exceptions import (
    InvalidTransition,
    NotAllowed,
)
from dudao.core.policies import require_role
from dudao.core.snapshot import snapshot
from dudao.inspections.models import (
    Tour,
)
from dudao.orgs.models import Organisation

if TYPE_CHECKING:
    from dudao.accounts.models import User


S = Tour.Status
HALF = Decimal("0.5")
DEFAULT_GROUPS = ("县(市)组", "城区组")
TOUR_FIELDS = (
    "level",
    "name",
    "period",
    "start_date",
    "end_date",
    "method",
    "trim_k",
    "min_judges_for_trim",
    "vote_top_points",
    "vote_step",
    "county_sheet",
    "county_weight",
    "finding_threshold",
    "min_investment",
    "required_levels",
)
# Fields that decide how scores become results: frozen once scoring has started.
RULE_FIELDS = frozenset(TOUR_FIELDS) - {"name", "period", "start_date", "end_date", "level"}


def _organiser(actor: User, tour: Tour) -> Tour:
    """Lock the tour for an organiser's change (in the actor's scope, SUPERVISOR)."""
    require_role(actor, Role.SUPERVISOR)
    locked = Tour.objects.visible_to(actor).select_for_update().filter(pk=tour.pk).first()
    if locked is None or not locked.organiser.path.startswith(actor.organisation.scope_path):
        raise NotAllowed("只有组织本次观摩的单位可以修改它。")
    return locked


def _planning(tour: Tour) -> None:
    if tour.status != S.PLANNING:
        raise InvalidTransition("观摩活动已开始评分，路线、参评单位和评委不能再修改。")


def _bump(tour: Tour) -> None:
    Tour.objects.filter(pk=tour.pk).update(version=F("version") + 1, updated_at=timezone.now())


def _planned(actor: User, tour: Tour, action: str, obj: Any, organisation: Organisation) -> None:
    """Record a planning change (the tour's version moves with it)."""
    _bump(tour)
    record_event(
        actor=actor, action=action, obj=obj, organisation=organisation, after=snapshot(obj)
    )
