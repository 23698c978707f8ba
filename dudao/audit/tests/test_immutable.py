"""AUD-10/11: audit events cannot be changed through the model, the queryset, raw SQL or a URL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from dudao.audit.models import AuditEvent, AuditImmutable
from dudao.testing import World, org_create_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(world: World) -> AuditEvent:
    return org_create_event(world.county_a)


def test_it_refuses_to_save_an_existing_event(event: AuditEvent) -> None:
    event.action = "org.delete"
    with pytest.raises(AuditImmutable, match="审计记录不可修改"):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "org.create"


def test_it_refuses_to_delete_an_event(event: AuditEvent) -> None:
    with pytest.raises(AuditImmutable, match="审计记录不可删除"):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_refuses_queryset_update_delete_and_bulk_update(event: AuditEvent) -> None:
    with pytest.raises(AuditImmutable, match="审计记录不可修改"):
        AuditEvent.objects.update(reason="x")
    with pytest.raises(AuditImmutable, match="审计记录不可修改"):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(AuditImmutable, match="审计记录不可删除"):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditImmutable, match="审计记录不可删除"):
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.reason = "x"
    with pytest.raises(AuditImmutable, match="审计记录不可修改"):
        AuditEvent.objects.bulk_update([event], ["reason"])
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_it_refuses_a_raw_sql_update_in_the_database(event: AuditEvent) -> None:
    with (
        pytest.raises(DatabaseError, match="audit events are immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditevent SET reason = 'forged' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_it_refuses_a_raw_sql_update_of_every_row(event: AuditEvent) -> None:
    with (
        pytest.raises(DatabaseError, match="audit events are immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditevent SET actor_name = 'nobody'")
    assert AuditEvent.objects.filter(actor_name="nobody").count() == 0


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's trigger refuses UPDATE only (test flushes need DELETE); the ORM refuses it",
)
def test_it_refuses_a_raw_sql_delete_on_postgresql(event: AuditEvent) -> None:
    count = AuditEvent.objects.count()
    with (
        pytest.raises(DatabaseError, match="audit events are immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.count() == count


AUDIT_URLS = ["audit:list", "audit:detail", "api:audit_event_list", "api:audit_event_detail"]


@pytest.mark.parametrize("name", AUDIT_URLS)
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("actor", ["auditadmin", "sysadmin", "secadmin"])
def test_it_accepts_no_write_method_on_audit_urls(
    client: Client, world: World, event: AuditEvent, *, name: str, method: str, actor: str
) -> None:
    kwargs = {}
    if name == "audit:detail":
        kwargs = {"pk": event.pk}
    elif name == "api:audit_event_detail":
        kwargs = {"event_id": event.pk}
    client.force_login(getattr(world, actor))
    count = AuditEvent.objects.count()
    response = client.generic(
        method,
        reverse(name, kwargs=kwargs),
        data='{"reason": "forged"}',
        content_type="application/json",
    )
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert AuditEvent.objects.count() == count
    assert AuditEvent.objects.get(pk=event.pk).reason == ""
