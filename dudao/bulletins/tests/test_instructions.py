"""A leader's 批示 on a bulletin (issue 14, item 9): bulletins register themselves as a 批示
target; the 批示 becomes a supervision source and task and shows on the bulletin's page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dudao.audit.models import AuditEvent
from dudao.bulletins.tests.factories import issued
from dudao.supervision.models import TaskSource
from dudao.testing import World

pytestmark = pytest.mark.django_db


def test_a_leader_writes_a_pishi_on_a_bulletin(client: Client, world: World) -> None:
    bulletin = issued(world)
    client.force_login(world.city_leader)
    detail = reverse("bulletins:detail", kwargs={"pk": bulletin.pk})
    assert "写批示" in client.get(detail).content.decode()
    url = reverse("supervision:instruction_create", kwargs={"kind": "bulletin", "pk": bulletin.pk})
    text = "请督查室对通报中排名靠后的县区跟踪督办。"
    response = client.post(url, {"text": text, "lead_org": world.supervision_office.pk})
    assert response.status_code == 302, response.content.decode()
    source = TaskSource.objects.get(source_ref=f"bulletins.bulletin:{bulletin.pk}")
    task = source.tasks.get()
    assert (task.lead_org, task.status) == (world.supervision_office, "assigned")
    assert AuditEvent.objects.filter(
        action="supervision.instruction",
        object_type="bulletins.bulletin",
        object_id=str(bulletin.pk),
    ).exists()
    html = client.get(detail).content.decode()
    assert text in html
    assert task.code in html


def test_a_reporter_sees_no_pishi_form_and_is_refused(client: Client, world: World) -> None:
    bulletin = issued(world)
    client.force_login(world.city_supervisor)
    assert (
        "写批示"
        not in client.get(reverse("bulletins:detail", kwargs={"pk": bulletin.pk})).content.decode()
    )
    url = reverse("supervision:instruction_create", kwargs={"kind": "bulletin", "pk": bulletin.pk})
    assert client.post(url, {"text": "批示", "lead_org": world.county_a.pk}).status_code == 403
