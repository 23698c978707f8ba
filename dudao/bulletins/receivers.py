"""Receivers of the signals the modules below bulletins emit (registered in
BulletinsConfig.ready()); projects imports nothing of bulletins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.dispatch import receiver

from dudao.projects.signals import month_locked

if TYPE_CHECKING:
    from dudao.accounts.models import User


@receiver(month_locked, dispatch_uid="bulletins.month_locked")
def draft_after_lock(sender: Any, *, actor: User, year: int, month: int, **_: Any) -> None:
    """After the reporting lock commits, queue the monthly drafts (the job decides whether the
    whole city is now locked)."""
    from dudao.bulletins import tasks

    actor_id = actor.pk
    transaction.on_commit(lambda: tasks.draft_monthly(actor_id, year, month))
