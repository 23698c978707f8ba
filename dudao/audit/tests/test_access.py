"""Who reads the audit log: 审计管理员 only, within their scope (plus system events)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dudao.accounts.services import record_login_failure
from dudao.audit import selectors
from dudao.audit.models import AuditEvent
from dudao.core.roles import Role
from dudao.testing import ACTORS, ActorName, World, add_user, login_form, org_create_event

pytestmark = pytest.mark.django_db

NON_AUDIT_ACTORS = [a for a in ACTORS if a != "auditadmin"]


def test_it_shows_login_events_to_the_audit_admin(client: Client, world: World) -> None:
    response = login_form(client, "a_reporter")
    assert response.status_code == 302
    client.logout()
    login = AuditEvent.objects.filter(action="auth.login").get()

    events = selectors.list_events(world.auditadmin, action="auth.login")
    assert list(events) == [login]
    assert (login.actor, login.organisation, login.object_id, login.success) == (
        world.county_a_reporter,
        world.county_a_drc,
        str(world.county_a_reporter.pk),
        True,
    )
    assert len(login.request_id) == 32  # a fresh uuid4 hex from RequestIdMiddleware
    assert login.ip == "127.0.0.1"

    client.force_login(world.auditadmin)
    page = client.get(reverse("audit:list"), {"action": "auth.login"})
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 1
    html = page.content.decode()
    assert "<td>a_reporter</td><td>甲县发展和改革委员会</td><td>登录成功</td>" in html

    api = client.get(reverse("api:audit_event_list"), {"action": "auth.login"})
    assert api.status_code == 200
    body = api.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["action"], item["action_label"], item["actor_name"], item["request_id"]) == (
        "auth.login",
        "登录成功",
        "a_reporter",
        login.request_id,
    )


def test_it_shows_failed_logins_with_the_username_as_typed(client: Client, world: World) -> None:
    login_form(client, "a_reporter\r\nforged line", "wrong")
    event = AuditEvent.objects.filter(action="auth.login_failed").get()
    assert event.success is False
    assert event.actor is None
    assert event.object_repr == "a_reporter\\x0d\\x0aforged line"
    assert list(selectors.list_events(world.auditadmin, action="auth.login_failed")) == [event]


@pytest.mark.parametrize("actor", NON_AUDIT_ACTORS)
def test_it_shows_no_audit_event_to_other_roles(
    client: Client, world: World, actor: ActorName
) -> None:
    user = world.actor(actor)
    assert AuditEvent.objects.count() >= 30
    assert selectors.list_events(user).count() == 0
    event = org_create_event(user.organisation)
    with pytest.raises(Exception, match="No AuditEvent matches the given query"):
        selectors.get_event(user, event.pk)
    client.force_login(user)
    assert client.get(reverse("audit:list")).status_code == 403
    assert client.get(reverse("audit:detail", kwargs={"pk": event.pk})).status_code == 403
    assert client.get(reverse("api:audit_event_list")).status_code == 403


def test_it_limits_a_county_audit_admin_to_the_county_and_system_events(world: World) -> None:
    record_login_failure(username="nobody", locked=False)  # no organisation: a system event
    county_auditor = add_user(world, world.county_a, Role.AUDITADMIN)
    visible = selectors.list_events(county_auditor)
    orgs = set(visible.values_list("organisation_id", flat=True))
    county_a_tree = {world.county_a.pk, world.county_a_drc.pk, world.park_a.pk}
    assert orgs == county_a_tree | {None}
    root_event = org_create_event(world.city)  # created by the system: organisation = city
    assert not visible.filter(pk=root_event.pk).exists()
    system = AuditEvent.objects.filter(organisation__isnull=True).get()
    assert system.actor_name == "nobody"
    assert visible.filter(pk=system.pk).exists()
    assert not visible.filter(organisation=world.county_b).exists()


def test_it_hides_events_from_an_inactive_audit_admin(world: World) -> None:
    auditadmin = world.auditadmin
    auditadmin.is_active = False
    assert selectors.list_events(auditadmin).count() == 0
