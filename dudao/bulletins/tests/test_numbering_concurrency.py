"""Two 签发 at the same moment get consecutive numbers: no gap, no reuse (a real threaded test:
each thread has its own database connection; on PostgreSQL the counter row is locked with
SELECT … FOR UPDATE, on SQLite the IMMEDIATE transactions of dudao/core/sqlite.py queue)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from dudao.bulletins import services
from dudao.bulletins.models import Bulletin, BulletinCounter
from dudao.bulletins.tests.factories import draft
from dudao.testing import build_world


def _in_memory_sqlite() -> bool:
    return connection.vendor == "sqlite" and bool(connection.is_in_memory_db())  # type: ignore[attr-defined]


@pytest.mark.skipif(
    "_in_memory_sqlite()",
    reason="shared-cache in-memory SQLite answers 'table is locked' instead of queueing; the "
    "file database (WAL, IMMEDIATE, busy timeout) and PostgreSQL run this test",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_signatures_at_once_get_consecutive_numbers() -> None:
    world = build_world()
    pending = []
    for _ in range(2):
        b = draft(world)
        pending.append(services.submit(actor=world.city_supervisor, bulletin=b, version=b.version))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def sign(pk: int, version: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.approve(actor=world.city_leader, bulletin=pk, version=version)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(b.pk, b.version)) for b in pending]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    seqs = sorted(
        s or 0
        for s in Bulletin.objects.filter(pk__in=[b.pk for b in pending]).values_list(
            "seq", flat=True
        )
    )
    assert seqs == [1, 2]
    assert BulletinCounter.objects.get(year=2026, kind__code="projects").last == 2
