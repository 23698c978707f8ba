"""Issue 11 item 10: a refused attempt at an administrator URL (the policy's 403) is audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dudao.audit import chain
from dudao.audit.models import AuditEvent
from dudao.testing import World

pytestmark = pytest.mark.django_db


def denied() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="access.denied").order_by("seq"))


@pytest.mark.parametrize(
    ("actor", "method", "name", "kwargs"),
    [
        ("county_a_reporter", "GET", "audit:list", {}),
        ("secadmin", "GET", "audit:list", {}),
        ("sysadmin", "GET", "api:audit_event_list", {}),
        ("secadmin", "POST", "users:create", {}),
        ("auditadmin", "POST", "users:set_roles", {"pk": 1}),
        ("city_supervisor", "POST", "users:reset_password", {"pk": 1}),
    ],
)
def test_a_refused_administrator_url_is_audited(
    client: Client, world: World, *, actor: str, method: str, name: str, kwargs: dict[str, int]
) -> None:
    user = getattr(world, actor)
    client.force_login(user)
    url = reverse(name, kwargs=kwargs)
    response = client.generic(method, url)
    assert response.status_code == 403
    [event] = denied()
    assert (event.actor_id, event.success, event.object_repr) == (user.pk, False, name)
    assert event.reason == f"{method} {url}"
    assert event.organisation_id == user.organisation_id
    assert chain.verify(anchors=[]).ok


def test_a_refused_business_url_is_not_an_administrator_event(client: Client, world: World) -> None:
    client.force_login(world.auditadmin)
    assert client.get(reverse("projects:list")).status_code == 403
    assert denied() == []
