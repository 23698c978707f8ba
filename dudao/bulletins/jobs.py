"""The monthly drafts: once a city's reporting month is locked for every county, draft each
kind marked 月度锁定后自动起草 (once per kind, period and city) and tell the supervisor."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.urls import reverse

from dudao.accounts.models import User
from dudao.bulletins import services
from dudao.bulletins.models import Bulletin, BulletinKind
from dudao.core.exceptions import DomainError
from dudao.core.periods import Period
from dudao.core.roles import Role
from dudao.projects import selectors as projects
from dudao.stats import selectors as stats
from dudao.supervision import services as supervision

logger = logging.getLogger(__name__)


def draft_monthly(actor_id: int, year: int, month: int) -> dict[str, Any]:
    actor = User.objects.filter(pk=actor_id, is_active=True).first()
    if actor is None or not actor.has_role(Role.SUPERVISOR) or actor.organisation is None:
        return {"drafted": [], "reason": "no supervisor"}
    city = stats.city_of(actor.organisation)
    if city is None:
        return {"drafted": [], "reason": "no city"}
    counties = projects.county_choices(actor)
    if not counties or not all(projects.is_locked(c.pk, year, month) for c in counties):
        return {"drafted": [], "reason": "not all counties locked"}
    period = Period.month(year, month)
    drafted: list[int] = []
    for kind in BulletinKind.objects.filter(is_active=True, is_monthly_job=True):
        exists = Bulletin.objects.filter(
            kind=kind, scope_org=city, period__year=year, period__month=month
        ).exists()
        if exists:
            continue
        try:
            bulletin = services.make_draft(actor=actor, kind=kind, period=period, scope=city)
        except DomainError as exc:
            logger.warning("bulletin %s %s-%s not drafted: %s", kind.code, year, month, exc)
            continue
        with transaction.atomic():
            supervision.notify_users(
                users=[actor],
                title=f"通报草稿已生成：{bulletin.title}",
                body=f"{year}年{month}月月报已全部锁定，系统已起草通报，请核对后送审。",
                url=reverse("bulletins:detail", args=[bulletin.pk]),
            )
        drafted.append(bulletin.pk)
    return {"drafted": drafted}
