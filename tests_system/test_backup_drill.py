"""The backup and restore drill, as an operator runs it: the demo city served by its server and
job worker, `dudao backup` while it runs, then `dudao restore` into a new, empty installation
(new data directory; on PostgreSQL a new database), then a row-exact and file-exact comparison
done outside the restore's own checks. /readyz of the original turns 200 once the worker has
beaten and the backup exists. A tampered backup is refused before anything is written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests_system.stack import (
    DUDAO,
    HERE,
    REPO,
    Stack,
    _admin,
    _postgres_database,
    production_stack,
)

pytestmark = pytest.mark.system


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with production_stack(tmp_path_factory.mktemp("drill-a"), "drill_a", ["fuzz_setup.py"]) as s:
        upload = Path(s.env["DUDAO_DATA_DIR"]) / "uploads" / "drill" / "现场照片.jpg"
        upload.parent.mkdir(parents=True, exist_ok=True)
        upload.write_bytes(os.urandom(4096))
        yield s


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def _digest(env: dict[str, str]) -> dict[str, Any]:
    done = _run(env, sys.executable, str(HERE / "drill_digest.py"))
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout))


@pytest.fixture(scope="module")
def elsewhere(
    tmp_path_factory: pytest.TempPathFactory, original: Stack
) -> Iterator[dict[str, str]]:
    env = dict(original.env)
    env["DUDAO_DATA_DIR"] = str(tmp_path_factory.mktemp("drill-b"))
    maintenance = ""
    url = original.env.get("DUDAO_DATABASE_URL", "")
    if url:
        env["DUDAO_DATABASE_URL"], maintenance = _postgres_database(url, "drill_b")
        name = env["DUDAO_DATABASE_URL"].rsplit("/", 1)[1]
        _admin(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(maintenance, f'CREATE DATABASE "{name}"')
    yield env
    if maintenance:
        _admin(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _ready(stack: Stack) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"{stack.base}/readyz", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_backup_then_restore_elsewhere_gives_the_same_rows_and_files(
    original: Stack, elsewhere: dict[str, str], tmp_path: Path
) -> None:
    assert _ready(original)[0] == 503  # no backup yet
    done = _run(original.env, DUDAO, "backup", "--out", str(tmp_path / "backups"))
    assert done.returncode == 0, done.stderr
    assert "备份完成" in done.stdout
    (folder,) = (tmp_path / "backups").iterdir()

    deadline = time.monotonic() + 90  # the worker beats at each minute
    while (status := _ready(original)[0]) != 200 and time.monotonic() < deadline:
        time.sleep(2)
    assert status == 200, _ready(original)[1]

    before = _digest(original.env)
    done = _run(elsewhere, DUDAO, "restore", str(folder))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "审计日志哈希链完整" in done.stdout
    after = _digest(elsewhere)
    assert after["files"] == before["files"]
    assert "drill/现场照片.jpg" in after["files"]
    differ = sorted(t for t in before["tables"] if before["tables"][t] != after["tables"].get(t))
    assert differ == []
    assert after["tables"]["projects_project"][0] > 0

    again = _run(elsewhere, DUDAO, "restore", str(folder))
    assert again.returncode != 0
    assert "目标数据库不是空的" in again.stderr


def test_a_tampered_backup_is_refused_before_anything_is_written(
    original: Stack, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    done = _run(original.env, DUDAO, "backup", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    (folder,) = tmp_path.iterdir()
    photo = folder / "uploads" / "drill" / "现场照片.jpg"
    photo.write_bytes(b"\x00" + photo.read_bytes()[1:])
    env = dict(original.env)
    env["DUDAO_DATA_DIR"] = str(tmp_path_factory.mktemp("drill-c"))
    # The files are checked before the database is touched: an empty SQLite target suffices.
    env.pop("DUDAO_DATABASE_URL", None)
    refused = _run(env, DUDAO, "restore", str(folder))
    assert refused.returncode != 0
    assert "与备份清单的校验值不符" in refused.stderr
    assert not (Path(env["DUDAO_DATA_DIR"]) / "uploads" / "drill").exists()
    shutil.rmtree(folder)
