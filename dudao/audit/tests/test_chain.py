"""Issue 11 item 10: the audit log is sealed in an HMAC hash chain; any edit, deletion or
truncation below the application is found by `dudao audit verify` and on the audit page."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from dudao.audit import chain
from dudao.audit.models import AuditEvent
from dudao.audit.services import record_event
from dudao.testing import World

pytestmark = pytest.mark.django_db


@contextmanager
def triggers_off() -> Iterator[None]:
    """What a database owner (or anyone with the file) can do: write below the triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks before ALTER
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            yield
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
            yield


def raw(sql: str, params: list[Any] | None = None) -> None:
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.fixture
def anchors(tmp_path: Path, settings: object) -> Path:
    path = tmp_path / "audit_anchors.log"
    settings.DUDAO_AUDIT_ANCHOR_FILE = path  # type: ignore[attr-defined]
    return path


def newest() -> AuditEvent:
    return AuditEvent.objects.order_by("-seq").first()  # type: ignore[return-value]


def test_every_event_is_sealed_in_one_unbroken_chain(world: World) -> None:
    events = list(AuditEvent.objects.order_by("seq"))
    assert len(events) > 10
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_mac == chain.GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_mac == before.mac
    assert all(e.mac == chain.mac_of(e) for e in events)
    result = chain.verify(anchors=[])
    assert result.ok, result.problem
    assert result.events == len(events)


def test_the_mac_depends_on_the_key_outside_the_database(world: World, settings: object) -> None:
    event = newest()
    settings.DUDAO_AUDIT_KEY = b"another key of at least thirty-two characters"  # type: ignore[attr-defined]
    assert chain.mac_of(event) != event.mac
    result = chain.verify(anchors=[])
    assert not result.ok
    assert "与封印不符" in result.problem


def test_json_values_survive_the_round_trip_through_the_database(world: World) -> None:
    with transaction.atomic():
        record_event(
            actor=world.sysadmin,
            action="org.update",
            obj=world.county_a,
            before={"big": 1e16, "small": 1.5e-10, "ratio": 0.1, "list": (1, 2.0), "名": "甲"},
            after={"nested": {"b": [None, True], "a": 10**20}},
        )
    assert chain.verify(anchors=[]).ok


def test_verify_finds_an_edited_event(world: World) -> None:
    victim = AuditEvent.objects.order_by("seq")[3]
    raw("UPDATE audit_auditevent SET actor_name = 'nobody' WHERE id = %s", [victim.pk])
    result = chain.verify(anchors=[])
    assert not result.ok
    assert result.event_id == victim.pk
    assert result.problem == (
        f"第 {victim.seq} 条审计记录（编号 {victim.pk}）的内容与封印不符：已被篡改"
    )


def test_verify_finds_an_event_resealed_without_the_key(world: World) -> None:
    victim = AuditEvent.objects.order_by("seq")[3]
    victim.reason = "forged"
    forged = chain.mac_of(victim, b"a guessed key that is not the real one!!")
    raw(
        "UPDATE audit_auditevent SET reason = 'forged', mac = %s WHERE id = %s", [forged, victim.pk]
    )
    result = chain.verify(anchors=[])
    assert not result.ok
    assert result.event_id == victim.pk


def test_verify_finds_a_deleted_event_in_the_middle(world: World) -> None:
    victim = AuditEvent.objects.order_by("seq")[4]
    raw("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
    result = chain.verify(anchors=[])
    assert not result.ok
    assert result.problem.startswith(f"第 {victim.seq} 条审计记录缺失")


def test_verify_finds_a_deletion_renumbered_to_hide_the_gap(world: World) -> None:
    events = list(AuditEvent.objects.order_by("seq"))
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[4].pk])
    for event in events[5:]:
        raw("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [event.seq - 1, event.pk])
    result = chain.verify(anchors=[])
    assert not result.ok
    assert result.event_id == events[5].pk
    assert "与前一条不相连" in result.problem


def test_verify_finds_a_tail_truncation_through_the_anchor(world: World, anchors: Path) -> None:
    anchor = chain.write_anchor()
    assert anchor is not None
    assert anchor.seq == newest().seq
    assert chain.write_anchor() is None  # the head did not move: nothing appended
    assert anchors.stat().st_mode & 0o777 == 0o600
    cut = AuditEvent.objects.order_by("seq")[anchor.seq - 3]
    raw("DELETE FROM audit_auditevent WHERE seq >= %s", [cut.seq])
    result = chain.verify()
    assert not result.ok
    assert result.problem == (
        f"审计日志在第 {cut.seq - 1} 条之后被截断：{anchor.at} 的锚点记录了第 {anchor.seq} 条"
    )
    # Without the anchor the shorter chain is valid: that is what the anchor is for.
    assert chain.verify(anchors=[]).ok


def test_verify_finds_a_replaced_tail_event(world: World, anchors: Path) -> None:
    anchor = chain.write_anchor()
    assert anchor is not None
    raw("UPDATE audit_auditevent SET mac = %s WHERE seq = %s", ["f" * 64, anchor.seq])
    assert not chain.verify().ok


def test_the_worker_task_appends_the_moving_head(world: World, anchors: Path) -> None:
    from dudao.audit.tasks import anchor_audit_chain

    anchor_audit_chain.call_local()
    with transaction.atomic():
        record_event(actor=world.sysadmin, action="org.update", obj=world.county_a)
    anchor_audit_chain.call_local()
    seqs = [a.seq for a in chain.read_anchors()]
    assert seqs == [newest().seq - 1, newest().seq]
    assert chain.verify().ok


def test_the_command_reports_the_first_broken_link_and_fails(
    world: World, anchors: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("audit", "anchor")
    call_command("audit", "verify")
    assert "审计日志完整" in capsys.readouterr().out
    victim = AuditEvent.objects.order_by("seq")[2]
    raw("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError, match=f"审计日志校验失败：第 {victim.seq} 条审计记录缺失"):
        call_command("audit", "verify")


def test_the_audit_page_shows_the_chain_status(world: World, client: Client) -> None:
    client.force_login(world.auditadmin)
    page = client.get(reverse("audit:list")).content.decode()
    assert "哈希链完整" in page
    victim = AuditEvent.objects.order_by("seq")[2]
    raw("UPDATE audit_auditevent SET reason = 'x' WHERE id = %s", [victim.pk])
    page = client.get(reverse("audit:list")).content.decode()
    assert "哈希链断裂" in page
    assert f"编号 {victim.pk}）的内容与封印不符" in page


def refused_change(world: World) -> None:
    with transaction.atomic():
        record_event(actor=world.secadmin, action="user.set_roles", obj=world.secadmin)
        raise PermissionError


def test_a_refused_attempt_is_recorded_after_the_change_rolled_back(world: World) -> None:
    head = newest().seq
    with pytest.raises(PermissionError):
        refused_change(world)
    assert newest().seq == head
    event = record_event(
        actor=world.secadmin, action="user.set_roles", obj=world.secadmin, success=False
    )
    assert (event.seq, event.prev_mac) == (head + 1, AuditEvent.objects.get(seq=head).mac)
    assert chain.verify(anchors=[]).ok
