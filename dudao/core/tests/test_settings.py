"""Settings from DUDAO_* variables, checked in fresh processes with a clean environment:
no environment at all works (SQLite in WAL mode under the data directory), a bad value stops
with one line naming the variable (exit 2), production values pass `check --deploy`."""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
PYTHON = sys.executable
SHOW_DATABASE = (
    "import os, django;"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'dudao.settings');"
    "django.setup();"
    "from django.conf import settings;"
    "from django.db import connection;"
    "db = settings.DATABASES['default'];"
    "print(db['ENGINE']);"
    "print(db['NAME']);"
    "c = connection.cursor() if connection.vendor == 'sqlite' else None;"
    "c and c.execute('PRAGMA journal_mode');"
    "print(c.fetchone()[0] if c else '-')"
)
SHOW_SQLITE_CONNECTION = (
    "import os, django;"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'dudao.settings');"
    "django.setup();"
    "from django.conf import settings;"
    "from django.db import connection;"
    "c = connection.cursor();"
    "print(*[c.execute('PRAGMA ' + p).fetchone()[0] for p in"
    " ('journal_mode', 'synchronous', 'mmap_size', 'busy_timeout')]);"
    "print(settings.DATABASES['default']['CONN_MAX_AGE']);"
    "print(settings.DATABASES['default']['OPTIONS']['transaction_mode'])"
)
PRODUCTION = {
    "DUDAO_SECURE_COOKIES": "1",
    "DUDAO_SSL_REDIRECT": "1",
    "DUDAO_BEHIND_PROXY": "1",
    "DUDAO_SECRET_KEY": secrets.token_urlsafe(45)[:60],
    "DUDAO_ALLOWED_HOSTS": "dudao.example.gov.cn",
}
BAD_VALUES = {
    "DUDAO_DEBUG=maybe": "配置错误：DUDAO_DEBUG='maybe' 不是布尔值，请使用 true 或 false",
    "DUDAO_PORT=abc": "配置错误：DUDAO_PORT='abc' 不是整数",
    "DUDAO_PORT=70000": "配置错误：DUDAO_PORT=70000 超出范围 1–65535",
    "DUDAO_DATABASE_URL=mysql://x": (
        "配置错误：DUDAO_DATABASE_URL 的协议必须是 sqlite://、postgres://、postgresql:// 之一"
        "（当前：mysql）"
    ),
    "DUDAO_SECRET_KEY=short": "配置错误：DUDAO_SECRET_KEY 太短：至少 50 个字符",
}


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    data_dir: Path


def _run(args: list[str], extra: dict[str, str], data_dir: Path) -> Run:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - only a fallback for HOME
        "DUDAO_DATA_DIR": str(data_dir),
        **extra,
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [PYTHON, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    return Run(done.returncode, done.stdout, done.stderr, data_dir)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Run]]:
    """Every subprocess of this module, run in parallel once (each takes about a second)."""
    jobs: dict[str, tuple[list[str], dict[str, str]]] = {
        "check": (["manage.py", "check"], {}),
        "sqlite": (["-c", SHOW_DATABASE], {}),
        "sqlite_connection": (["-c", SHOW_SQLITE_CONNECTION], {}),
        "postgres": (
            ["-c", SHOW_DATABASE.replace("connection.vendor == 'sqlite'", "False")],
            {"DUDAO_DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres"},
        ),
        "deploy": (["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION),
    }
    for setting in BAD_VALUES:
        name, _, value = setting.partition("=")
        jobs[setting] = (["manage.py", "check"], {name: value})
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {
            key: pool.submit(_run, args, extra, tmp_path_factory.mktemp("data"))
            for key, (args, extra) in jobs.items()
        }
        yield {key: future.result() for key, future in futures.items()}


def test_it_checks_clean_with_no_environment_at_all(runs: dict[str, Run]) -> None:
    run = runs["check"]
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("System check identified no issues")
    key = run.data_dir / "secret_key"
    assert len(key.read_text().strip()) >= 80  # generated once, kept in the data directory
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert {p.name for p in run.data_dir.iterdir()} >= {"secret_key", "uploads", "logs", "tmp"}


def test_it_uses_sqlite_in_wal_mode_under_the_data_dir(runs: dict[str, Run]) -> None:
    run = runs["sqlite"]
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "django.db.backends.sqlite3",
        str(run.data_dir / "dudao.sqlite3"),
        "wal",
    ]
    assert (run.data_dir / "dudao.sqlite3").exists()


def test_sqlite_connections_are_set_for_several_writing_processes(runs: dict[str, Run]) -> None:
    """WAL (set once per file), the WAL synced at each commit, no memory-mapped I/O, a busy
    timeout, connections kept per thread, writers queued at BEGIN (dudao/core/sqlite.py)."""
    run = runs["sqlite_connection"]
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["wal 2 0 10000", "600", "IMMEDIATE"]


def test_it_selects_postgresql_from_the_database_url(runs: dict[str, Run]) -> None:
    run = runs["postgres"]
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["django.db.backends.postgresql", "postgres", "-"]


@pytest.mark.parametrize("setting", sorted(BAD_VALUES))
def test_it_stops_on_a_bad_value_with_one_line(runs: dict[str, Run], setting: str) -> None:
    run = runs[setting]
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.splitlines() == [BAD_VALUES[setting]]
    assert setting.partition("=")[0] in run.stderr


def test_it_passes_the_deployment_checks_with_production_values(runs: dict[str, Run]) -> None:
    run = runs["deploy"]
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("System check identified no issues")
