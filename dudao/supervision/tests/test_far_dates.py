"""Issue 11 item 5 for 督查督办: a task deadline, a milestone or a source date outside the
configured window of years is refused in Chinese and nothing is written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dudao.audit.models import AuditEvent
from dudao.supervision.models import SupervisionTask, TaskSource
from dudao.supervision.tests.factories import make_source
from dudao.testing import World

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int]:
    return SupervisionTask.objects.count(), TaskSource.objects.count(), AuditEvent.objects.count()


def test_a_task_with_a_far_deadline_or_milestone_is_refused(client: Client, world: World) -> None:
    source = make_source(world.city_supervisor)
    client.force_login(world.city_supervisor)
    soon = (timezone.localdate() + timedelta(days=30)).isoformat()
    body = {
        "source_id": source.pk,
        "title": "推进项目建设",
        "content": "三季度集中开工",
        "goal": "开工率100%",
        "lead_org_id": world.county_a.pk,
        "deadline": "3026-12-31",
        "issue": True,
    }
    before = _counts()
    response = client.post(
        reverse("api:supervision_task_list"), body, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"] == (
        "完成时限“3026-12-31”超出允许范围（2000–2099年）。"
    )
    milestone = {"due": "9999-01-01", "description": "开工", "expected_progress": "50"}
    response = client.post(
        reverse("api:supervision_task_list"),
        {**body, "deadline": soon, "milestones": [milestone]},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert "节点时间“9999-01-01”超出允许范围" in response.json()["error"]["message"]
    assert _counts() == before
