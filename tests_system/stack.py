"""A production stack for system tests: its own database (a temporary SQLite file, or a
temporary PostgreSQL database on the server of DUDAO_DATABASE_URL), migrated and loaded with
the demo city, then `dudao serve` (3 worker processes × its default threads) and `dudao worker`
on a free loopback port. Everything runs as separate processes, as in production; it is all
stopped and the PostgreSQL database dropped at the end.

Migrating (~31 s of CPU: Django renders the migration states) and loading the demo city (~22 s)
give every stack the same starting point, so a test run does it once: the first stack builds it
and keeps a copy (the data directory; on PostgreSQL a template database), later stacks of the
run — in any xdist worker, under a file lock — start from a copy (file copy; CREATE DATABASE …
TEMPLATE). The run's key is DUDAO_STACK_TEMPLATE (tests_system/conftest.py sets it in the
controller and removes the copies at the end); without it each stack builds its own. A stack
with its own settings (extra_env: Redis, DEBUG off) always builds its own.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
DUDAO = str(Path(sys.executable).with_name("dudao"))
HERE = Path(__file__).resolve().parent
TEMPLATE_KEY = "DUDAO_STACK_TEMPLATE"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _postgres_database(url: str, label: str) -> tuple[str, str]:
    """A URL for a new database on the same server, and the maintenance URL to create it."""
    parts = urlsplit(url)
    name = f"dudao_{label}_{os.getpid()}"
    return (
        urlunsplit(parts._replace(path=f"/{name}")),
        urlunsplit(parts._replace(path="/postgres")),
    )


def _admin(maintenance_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        conn.execute(sql)


def template_dir(key: str) -> Path:
    """Where the run `key` keeps its migrated, demo-loaded data directory."""
    return Path(tempfile.gettempdir()) / f"dudao-stack-template-{key}"


def template_database(key: str) -> str:
    """The PostgreSQL template database of the run `key`."""
    return f"dudao_stacktpl_{key}"


def drop_template(key: str) -> None:
    """Remove the run's copies (called once, when the run ends)."""
    shutil.rmtree(template_dir(key), ignore_errors=True)
    url = os.environ.get("DUDAO_DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        _, maintenance = _postgres_database(url, "template")
        _admin(maintenance, f'DROP DATABASE IF EXISTS "{template_database(key)}" WITH (FORCE)')


@dataclass
class Stack:
    env: dict[str, str]
    base: str
    config: dict[str, Any]
    server_log: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def run(self, *args: str, timeout: float = 300) -> str:
        """Run a command against the stack's database; its output, or fail with its errors."""
        done = subprocess.run(
            list(args), cwd=REPO, env=self.env, capture_output=True, timeout=timeout, check=False
        )
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
        return done.stdout.decode()


@contextmanager
def production_stack(
    data: Path, label: str, setup: list[str], extra_env: dict[str, str] | None = None
) -> Iterator[Stack]:
    """Build the stack in ``data``; ``setup`` (a script of tests_system and its arguments) runs
    after the demo and prints the JSON the test needs (``stack.config``)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - only a fallback for HOME
        "DUDAO_DATA_DIR": str(data),
        "DUDAO_SECURE_COOKIES": "0",
        "DUDAO_WORKERS": "3",
        "DUDAO_PORT": str(_free_port()),
        "DUDAO_LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    url = os.environ.get("DUDAO_DATABASE_URL", "")
    maintenance = name = ""
    if url.startswith(("postgres://", "postgresql://")):
        env["DUDAO_DATABASE_URL"], maintenance = _postgres_database(url, label)
        name = env["DUDAO_DATABASE_URL"].rsplit("/", 1)[1]
        _admin(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(maintenance, f'CREATE DATABASE "{name}"')
    stack = Stack(
        env=env,
        base=f"http://127.0.0.1:{env['DUDAO_PORT']}",
        config={},
        server_log=data / "server.log",
    )
    try:
        key = os.environ.get(TEMPLATE_KEY, "")
        if key and not extra_env:
            _start_from_template(stack, key, data, name, maintenance)
        else:
            _build_start(stack)
        script, *args = setup
        stack.config = json.loads(stack.run(sys.executable, str(HERE / script), *args))
        with stack.server_log.open("wb") as log:
            for command in ([DUDAO, "serve"], [DUDAO, "worker", "--workers", "1"]):
                stack.processes.append(
                    subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log)
                )
        deadline = time.monotonic() + 60
        while True:  # poll until the server answers (401 without a token)
            try:
                urllib.request.urlopen(f"{stack.base}/api/v1/me", timeout=5)
            except urllib.error.HTTPError:
                break
            except OSError:
                assert time.monotonic() < deadline, stack.server_log.read_text()[-3000:]
                time.sleep(0.2)
        yield stack
    finally:
        for process in stack.processes:
            process.terminate()
        for process in stack.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if maintenance:
            _admin(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _build_start(stack: Stack) -> None:
    """Every stack's starting point: migrated, the demo city loaded, static files collected."""
    # 900 s as the upgrade test allows: on a 2-core machine shared with other work, migrate and
    # the demo each took over 300 s of wall time (31 s and 22 s of CPU).
    stack.run(DUDAO, "migrate", "--noinput", "-v0", timeout=900)
    stack.run(DUDAO, "demo", timeout=900)
    stack.run(DUDAO, "collectstatic", "--noinput", "-v0")  # the pages, as in production


def _start_from_template(stack: Stack, key: str, data: Path, name: str, maintenance: str) -> None:
    """The starting point from the run's copy, made by the first stack that needs it."""
    shared = template_dir(key)
    shared.mkdir(exist_ok=True)
    copy = shared / "data"
    with (shared / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (shared / "ready").exists():
            _build_start(stack)
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(data, copy)
            if maintenance:  # no connection to the stack's database is left open here
                tpl = template_database(key)
                _admin(maintenance, f'DROP DATABASE IF EXISTS "{tpl}" WITH (FORCE)')
                _admin(maintenance, f'CREATE DATABASE "{tpl}" TEMPLATE "{name}"')
            (shared / "ready").touch()
            return
        shutil.copytree(copy, data, dirs_exist_ok=True)
        if maintenance:
            _admin(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _admin(maintenance, f'CREATE DATABASE "{name}" TEMPLATE "{template_database(key)}"')
