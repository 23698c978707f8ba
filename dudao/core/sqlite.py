"""How Dudao opens SQLite: settings for several processes writing one file safely.

The embedded deployment runs the web server (gunicorn: several worker processes, each with
threads), the job worker and command-line tools against one SQLite file at once. SQLite
supports that in WAL mode, provided every connection follows the rules below. The reasons are
in docs/operations.md (SQLite 多进程写入) and in the durability test (tests_system/).

* WAL is a property of the file, set once: the first connection to a new file switches it to
  WAL. Later connections only read the mode; re-issuing ``journal_mode=WAL`` on every connect
  asks for a mode change from each new process while others are checkpointing.
* No memory-mapped I/O (``mmap_size=0``). With mmap, a page another process changed under a
  stale WAL index is read straight from the mapping; that turns a transient WAL inconsistency
  (such as the WAL-reset race of SQLite 3.7.0–3.51.2, which Debian 12's 3.40.1 has) into a
  malformed database instead of a retried read.
* ``synchronous=FULL``: the WAL is synced at every commit, so a write that was answered is on
  disk even after a power cut (NORMAL may lose the last commits).
* Connections are kept per thread (``CONN_MAX_AGE``), so the last connection out of the file —
  which checkpoints and deletes the WAL and its index while others may be opening them — is a
  rare event (idle server, restart) instead of the end of every request.
* ``BEGIN IMMEDIATE`` and a busy timeout: writers queue instead of failing midway.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

# Kept for this long by each thread of each process (seconds).
CONN_MAX_AGE = 600
BUSY_TIMEOUT_SECONDS = 10
PRAGMAS = (
    "PRAGMA synchronous=FULL",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}",
    "PRAGMA cache_size=-65536",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA mmap_size=0",
)


def database_settings(base: dict[str, Any]) -> dict[str, Any]:
    """The Django DATABASES entry for an SQLite file, from the parsed URL or default."""
    return {
        **base,
        "CONN_MAX_AGE": CONN_MAX_AGE,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": BUSY_TIMEOUT_SECONDS,
            "init_command": "; ".join(PRAGMAS),
        },
    }


def ensure_wal(sender: Any, connection: Any, **kwargs: Any) -> None:
    """On each new SQLite connection: check that the file is in WAL mode; switch a new file.

    Reading ``PRAGMA journal_mode`` changes nothing. Only a file that is not yet in WAL (a new
    one) is switched, once; a file that cannot be (an in-memory test database) is left alone.
    """
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return
    raw = connection.connection
    mode = raw.execute("PRAGMA journal_mode").fetchone()[0]
    if mode != "wal":
        mode = raw.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if mode != "wal":
        raise ImproperlyConfigured(f"SQLite 数据库无法切换到 WAL 模式（当前：{mode}）")


def connect_signals() -> None:
    """Called from the core app's ready() (settings import this module before Django is set up)."""
    from django.db.backends.signals import connection_created

    connection_created.connect(ensure_wal, dispatch_uid="dudao.core.sqlite.ensure_wal")
