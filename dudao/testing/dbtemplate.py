"""Migrate once, copy for every test database.

Each pytest-xdist worker has a test database of its own, and migrating one from nothing costs
about 31 s of CPU, most of it Django rendering each migration's model state. What the migrations
leave depends only on the code (the migrations and whatever the data migrations call), Django
and the kind of database, so the first worker that needs a test database migrates it and keeps
a copy, keyed by a hash of all of those: an SQLite file (SQLite's backup API), or on PostgreSQL a
database the next ones are created from (``CREATE DATABASE … TEMPLATE``). Every other worker, and
every later pytest run of the same code — `make test` runs the browser tests after the unit
tests — starts from the copy in well under a second. Workers wait for the first one under a
file lock, so a copy is never read half-made.

Nothing is skipped: the copy is what the first worker's own ``migrate`` produced (schema, data
migrations' rows, content types and permissions), and any change to the code makes a new key.
The last ``KEEP`` copies are kept per checkout (``.pytest_cache/dudao-db``).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import django
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db import Error as DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper

PACKAGE = Path(__file__).resolve().parent.parent  # dudao/
SKIPPED_DIRS = {"__pycache__", "tests", "static", "templates", "testing"}
KEEP = 3
PG_PREFIX = "dudao_tpl_"


@cache
def code_key() -> str:
    """A hash of every file a migration may read: dudao/ without its tests, static files and
    templates, plus Django's version."""
    digest = hashlib.sha256(django.get_version().encode())
    for root, dirs, files in os.walk(PACKAGE):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(files):
            path = Path(root) / name
            digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _key(connection: BaseDatabaseWrapper) -> str:
    where = ""
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        where = f"{settings.get('HOST')}:{settings.get('PORT')}"
    return hashlib.sha256(f"{code_key()}|{connection.vendor}|{where}".encode()).hexdigest()[:20]


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- SQLite: a file made with the backup API ------------------------------------------------


def _sqlite_copy(folder: Path, key: str) -> Path:
    return folder / f"{key}.sqlite3"


def _sqlite_save(connection: BaseDatabaseWrapper, target: Path) -> None:
    connection.ensure_connection()
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    with closing(sqlite3.connect(partial)) as copy:
        connection.connection.backup(copy)
    os.replace(partial, target)


def _sqlite_load(connection: BaseDatabaseWrapper, source: Path) -> None:
    connection.ensure_connection()
    with closing(sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)) as copy:
        copy.backup(connection.connection)


# --- PostgreSQL: a template database --------------------------------------------------------


def _pg_admin(connection: BaseDatabaseWrapper, sql: str, params: tuple[Any, ...] = ()) -> bool:
    """Run one statement on the maintenance database; whether it returned a row."""
    with connection._nodb_cursor() as cursor:  # Django's own way to the maintenance db
        cursor.execute(sql, params)
        return cursor.description is not None and cursor.fetchone() is not None


def _pg_exists(connection: BaseDatabaseWrapper, name: str) -> bool:
    return _pg_admin(connection, "SELECT 1 FROM pg_database WHERE datname = %s", (name,))


def _pg_save(connection: BaseDatabaseWrapper, template: str) -> None:
    name = connection.settings_dict["NAME"]
    connection.close()  # a template must have no session while it is copied
    _pg_admin(connection, f'CREATE DATABASE "{template}" TEMPLATE "{name}"')


def _pg_load(connection: BaseDatabaseWrapper, template: str) -> None:
    name = connection.settings_dict["NAME"]
    connection.close()
    _pg_admin(connection, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(connection, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


# --- the migrate command, wrapped ---------------------------------------------------------


def _prune(connection: BaseDatabaseWrapper, folder: Path) -> None:
    """Keep the KEEP most recently used copies of this checkout."""
    marks = sorted(folder.glob("*.used"), key=lambda p: p.stat().st_mtime, reverse=True)
    for mark in marks[KEEP:]:
        key = mark.stem
        _sqlite_copy(folder, key).unlink(missing_ok=True)
        if connection.vendor == "postgresql":
            try:
                _pg_admin(connection, f'DROP DATABASE IF EXISTS "{PG_PREFIX}{key}"')
            except DatabaseError:
                continue  # in use by another run right now: pruned next time
        mark.unlink(missing_ok=True)


def _migrate_or_copy(
    folder: Path, migrate: Callable[..., Any], command: MigrateCommand, **options: Any
) -> Any:
    connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
    if connection.vendor not in {"sqlite", "postgresql"}:
        return migrate(command, **options)
    key = _key(connection)
    with _locked(folder / f"{key}.lock"):
        if connection.vendor == "sqlite":
            copy = _sqlite_copy(folder, key)
            if copy.is_file():
                _sqlite_load(connection, copy)
                result = None
            else:
                result = migrate(command, **options)
                _sqlite_save(connection, copy)
        else:
            template = f"{PG_PREFIX}{key}"
            if _pg_exists(connection, template):
                _pg_load(connection, template)
                result = None
            else:
                result = migrate(command, **options)
                _pg_save(connection, template)
        (folder / f"{key}.used").touch()
    _prune(connection, folder)
    return result


@contextmanager
def migrate_once(folder: Path) -> Iterator[None]:
    """While open, ``migrate`` on a test database copies the kept result when there is one."""
    original = MigrateCommand.handle

    def handle(self: MigrateCommand, *args: Any, **options: Any) -> Any:
        return _migrate_or_copy(folder, original, self, **options)

    MigrateCommand.handle = handle  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        MigrateCommand.handle = original  # type: ignore[method-assign]
