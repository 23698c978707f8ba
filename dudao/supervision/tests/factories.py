"""Typed builders of supervision objects, through the real services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from dudao.accounts.models import User
from dudao.orgs.models import Organisation
from dudao.supervision import services
from dudao.supervision.models import SupervisionTask, TaskSource
from dudao.testing import World

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def evidence(name: str = "佐证材料.pdf") -> services.Upload:
    return services.Upload(name, PDF)


def make_source(actor: User, **extra: Any) -> TaskSource:
    values: dict[str, Any] = {
        "kind": TaskSource.Kind.MEETING,
        "title": "全市重点项目建设总结会议",
        "source_date": timezone.localdate(),
    }
    values.update(extra)
    return services.create_source(actor=actor, **values)


def make_task(
    world: World,
    *,
    lead: Organisation | None = None,
    actor: User | None = None,
    parent: SupervisionTask | None = None,
    issue: bool = True,
    deadline: date | None = None,
    source: TaskSource | None = None,
    **extra: Any,
) -> SupervisionTask:
    """A complete task for `lead` (county A by default), issued unless issue=False."""
    actor = actor or world.city_supervisor
    if source is None:
        source = parent.source if parent is not None else make_source(world.city_supervisor)
    fields: dict[str, Any] = {
        "title": "推进产业集聚区提质转型",
        "content": "制定提质转型实施方案并组织实施",
        "goal": "年底前完成方案印发和首批项目落地",
        "lead_org": lead or world.county_a,
        "responsible_person": "张三",
        "deadline": deadline or timezone.localdate() + timedelta(days=60),
    }
    fields.update(extra)
    task = services.create_task(actor=actor, source=source, parent=parent, **fields)
    if issue:
        task = services.issue_task(actor=actor, task=task)
    return task
