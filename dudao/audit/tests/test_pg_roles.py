"""Issue 11 item 10 on PostgreSQL: the app role may only INSERT and SELECT the audit table; the
owner role (no superuser) is refused TRUNCATE, DELETE and UPDATE by the triggers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from dudao.audit import chain, pgroles
from dudao.audit.models import AuditEvent
from dudao.audit.services import record_event
from dudao.testing import World

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="database roles, grants and TRUNCATE triggers are PostgreSQL's (CI runs both)",
    ),
]

APP, OWNER = "dudao_test_app", "dudao_test_owner"


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def roles(world: World) -> Iterator[None]:
    """The two roles of deploy/postgresql-roles.md, inside the test's transaction (rolled back)."""
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks: tables may change owner
    sql(f"CREATE ROLE {OWNER} NOLOGIN NOSUPERUSER")
    sql(f"CREATE ROLE {APP} NOLOGIN NOSUPERUSER NOINHERIT")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
        sequences = [row[0] for row in cursor.fetchall()]
    for table in tables:
        sql(f'ALTER TABLE "{table}" OWNER TO {OWNER}')
    for sequence in sequences:
        sql(f'ALTER SEQUENCE "{sequence}" OWNER TO {OWNER}')
    sql(f"GRANT CREATE ON SCHEMA public TO {OWNER}")
    sql(f"SET LOCAL ROLE {OWNER}")
    for statement in pgroles.grants_sql(OWNER, APP):
        if "ON SCHEMA public FROM PUBLIC" not in statement:
            sql(statement)
    sql("RESET ROLE")
    yield
    sql("RESET ROLE")


def as_role(role: str, statement: str) -> None:
    with transaction.atomic():
        sql(f"SET LOCAL ROLE {role}")
        sql(statement)


def refused(statement: str, role: str, match: str) -> None:
    count = AuditEvent.objects.count()
    with pytest.raises(DatabaseError, match=match):
        as_role(role, statement)
    sql("RESET ROLE")
    assert AuditEvent.objects.count() == count


def test_the_app_role_appends_and_reads_the_chain(world: World, roles: None) -> None:
    with transaction.atomic():
        sql(f"SET LOCAL ROLE {APP}")
        event = record_event(actor=world.sysadmin, action="org.update", obj=world.county_a)
        assert AuditEvent.objects.filter(pk=event.pk).exists()
        assert chain.verify(anchors=[]).ok
        sql("RESET ROLE")


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM audit_auditevent",
        "UPDATE audit_auditevent SET reason = 'x'",
        "TRUNCATE audit_auditevent",
        "TRUNCATE audit_auditevent CASCADE",
    ],
)
def test_the_app_role_cannot_change_or_empty_the_log(roles: None, statement: str) -> None:
    refused(statement, APP, "permission denied")


def test_the_purge_setting_no_longer_opens_a_door(roles: None) -> None:
    refused(
        "SET LOCAL dudao.audit_purge = 'on'; DELETE FROM audit_auditevent", APP, "permission denied"
    )
    refused(
        "SET LOCAL dudao.audit_purge = 'on'; DELETE FROM audit_auditevent",
        OWNER,
        "audit events are immutable",
    )


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_event_no_truncate ON audit_auditevent",
        "DROP TABLE audit_auditevent CASCADE",
        "CREATE TABLE audit_shadow (id int)",
    ],
)
def test_the_app_role_has_no_trigger_or_schema_control(roles: None, statement: str) -> None:
    refused(statement, APP, "must be owner|permission denied")


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE audit_auditevent",
        "DELETE FROM audit_auditevent",
        "UPDATE audit_auditevent SET reason = 'x'",
    ],
)
def test_the_owner_role_is_refused_by_the_triggers(roles: None, statement: str) -> None:
    refused(statement, OWNER, "audit events are immutable")


def test_what_the_owner_can_still_do_the_chain_detects(world: World, roles: None) -> None:
    victim = AuditEvent.objects.order_by("seq")[2]
    with transaction.atomic():
        sql(f"SET LOCAL ROLE {OWNER}")
        sql("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update")
        sql("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
        sql("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_update")
        sql("RESET ROLE")
    result = chain.verify(anchors=[])
    assert not result.ok
    assert result.problem.startswith(f"第 {victim.seq} 条审计记录缺失")


def test_the_command_prints_the_roles_and_grants(capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import call_command

    call_command("pg_roles")
    out = capsys.readouterr().out
    assert "CREATE ROLE dudao_app LOGIN NOSUPERUSER" in out
    assert "GRANT SELECT, INSERT ON audit_auditevent TO dudao_app;" in out
