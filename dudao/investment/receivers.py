"""Receivers of the signals the modules below 招商引资 emit (registered in InvestmentConfig.ready):
a promoted deal follows its project's approved monthly reports (开工 / 竣工 / 投产)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.dispatch import receiver

from dudao.projects.signals import milestone_reached

if TYPE_CHECKING:
    from dudao.accounts.models import User


@receiver(milestone_reached, dispatch_uid="investment.milestone_reached")
def follow_project(
    sender: Any, *, project_id: int, role: str, on: dt.date, actor: User | None, **_: Any
) -> None:
    """Move the deal the project came from to the stage the report reached (never backwards)."""
    from dudao.investment.services import follow_project_milestone

    follow_project_milestone(project_id=project_id, role=role, on=on, actor=actor)
