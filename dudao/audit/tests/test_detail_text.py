"""The audit event page speaks Chinese: field names from the models, values as text, no action
codes, no raw dict or list reprs (issue 14: `{'roles': []}` reached the page)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dudao.audit.services import record_event
from dudao.testing import World

pytestmark = pytest.mark.django_db


def test_the_event_page_shows_labels_and_values_not_reprs(client: Client, world: World) -> None:
    event = record_event(
        actor=world.sysadmin,
        action="user.update",
        obj=world.county_a_reporter,
        object_repr="甲县填报员",
        before={"roles": [], "full_name": "张三", "is_active": True, "odd": {"a": None}},
        after={"roles": ["填报员", "审核员"], "full_name": "张三", "is_active": False},
    )
    client.force_login(world.auditadmin)
    html = client.get(reverse("audit:detail", kwargs={"pk": event.pk})).content.decode()
    for raw in ("{'", "['", "None", "True", "False", "accounts.user", "user.update"):
        assert raw not in html, raw
    assert "角色" in html
    assert "填报员、审核员" in html
    assert "姓名" in html
    assert "是" in html
    assert "否" in html
