"""The browser tests' starting state, built once per test process and then copied back.

Every browser test is transactional (its live server reads what the test writes), so the
database is flushed after each test and each test starts by loading the demo city again: the
data migrations' reference rows, then `load_demo(scale="city")` — the same rows every time,
and most of a browser test's time. `demo_city()` builds them the first time in a process and
keeps a copy of every table (rows and, on SQLite, the autoincrement counters); later calls put
that copy back in one transaction, which gives the same rows with the same ids.

Whatever the demo writes outside the database (uploaded photos) stays in the data directory
between tests, so the copied rows still find their files.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction


@dataclass
class Snapshot:
    # PostgreSQL: each table's rows as COPY data; SQLite: a copy of the whole database made
    # with SQLite's backup API (schema, rows and autoincrement counters, every value as stored).
    tables: list[tuple[str, bytes]] = field(default_factory=list)
    sqlite_copy: sqlite3.Connection | None = None


_SNAPSHOTS: dict[str, Snapshot] = {}


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
    return sorted(n for n in names if n != "django_migrations")


def capture() -> Snapshot:
    """Every row of every table (the migration history aside, which a flush keeps)."""
    snap = Snapshot()
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        snap.sqlite_copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(snap.sqlite_copy)
        return snap
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in _tables():
            with cursor.cursor.copy(f"COPY {quote(table)} TO STDOUT") as copy:
                snap.tables.append((table, b"".join(bytes(block) for block in copy)))
    return snap


def restore(snap: Snapshot) -> None:
    """Put the snapshot back: the same rows with the same ids and counters."""
    if snap.sqlite_copy is not None:
        connection.ensure_connection()
        snap.sqlite_copy.backup(connection.connection)
        return
    quote = connection.ops.quote_name
    tables = [table for table, _ in snap.tables]
    # Django's foreign keys on PostgreSQL are deferrable: checked at commit, in any order.
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in connection.ops.sql_flush(
            no_style(), tables, reset_sequences=False, allow_cascade=True
        ):
            cursor.execute(statement)
        for table, data in snap.tables:
            with cursor.cursor.copy(f"COPY {quote(table)} FROM STDIN") as copy:
                copy.write(data)
        for statement in connection.ops.sequence_reset_sql(
            no_style(), apps.get_models(include_auto_created=True)
        ):
            cursor.execute(statement)


def cached(key: str, build: Callable[[], object]) -> None:
    """Run `build` on the flushed database the first time, else restore what it built."""
    snap = _SNAPSHOTS.get(key)
    if snap is not None:
        restore(snap)
        return
    build()
    _SNAPSHOTS[key] = capture()


def demo_city() -> None:
    """The fictional demo city 示范市 (and the data migrations' reference rows under it)."""
    from dudao.demo.services import load_demo

    cached("demo-city", lambda: load_demo(scale="city", log=lambda _line: None))
