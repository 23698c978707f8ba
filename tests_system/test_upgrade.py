"""Upgrading an installation of the previous release, as an operator does it: the previous
release's code (its git tree, checked out into a temporary directory) migrates an empty
database and loads the demo city; then the current code's `dudao migrate` upgrades that same
database (and data directory). Every row the previous release wrote is still there, column for
column, the 督查室's project figures (count, plan, approved, rate, lights) are the same when
computed by the new code, the audit log's hash chain still verifies, and no migration is left
unapplied.

The previous release is a git ref (``PREVIOUS_RELEASE``, overridable with
DUDAO_PREVIOUS_RELEASE); there is no release tag yet, so it is the last landed stop. Without
the git history (a shallow clone, an unpacked tarball) the test is skipped with the reason.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests_system.stack import DUDAO, HERE, REPO, _admin, _free_port, _postgres_database

pytestmark = pytest.mark.system

PREVIOUS_RELEASE = os.environ.get("DUDAO_PREVIOUS_RELEASE", "de49739")

# Django adds a content type and its permissions for each model a release introduces; this
# release's data migration stats/0006 adds the 亩均效益 rollup indicators to the catalogue.
MAY_GROW = {"django_content_type", "auth_permission", "stats_indicator"}


def _previous_tree(target: Path) -> None:
    """Unpack the previous release's tree into ``target``, or skip when git cannot give it."""
    git = shutil.which("git")
    if git is None:
        pytest.skip("升级测试需要 git 历史：找不到 git 命令")
    found = subprocess.run(
        [
            git,
            "-C",
            str(REPO),
            "rev-parse",
            "--verify",
            "--quiet",
            f"{PREVIOUS_RELEASE}^{{commit}}",
        ],
        capture_output=True,
        check=False,
    )
    if found.returncode != 0:
        pytest.skip(f"升级测试需要 git 历史：找不到上一版本 {PREVIOUS_RELEASE}（浅克隆？）")
    archive = subprocess.run(
        [git, "-C", str(REPO), "archive", "--format=tar", PREVIOUS_RELEASE],
        capture_output=True,
        check=True,
        timeout=120,
    )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")


def _run(env: dict[str, str], cwd: Path, *args: str) -> str:
    done = subprocess.run(
        list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return done.stdout


@pytest.fixture
def installation(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - only a fallback for HOME
        "DUDAO_DATA_DIR": str(tmp_path / "data"),
        "DUDAO_SECURE_COOKIES": "0",
        "DUDAO_PORT": str(_free_port()),
        "DUDAO_LOG_LEVEL": "WARNING",
    }
    (tmp_path / "data").mkdir()
    maintenance = name = ""
    url = os.environ.get("DUDAO_DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        env["DUDAO_DATABASE_URL"], maintenance = _postgres_database(url, "upgrade")
        name = env["DUDAO_DATABASE_URL"].rsplit("/", 1)[1]
        _admin(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(maintenance, f'CREATE DATABASE "{name}"')
    try:
        yield env
    finally:
        if maintenance:
            _admin(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_previous_release_upgrades_with_every_row_intact(
    installation: dict[str, str], tmp_path: Path
) -> None:
    old_tree = tmp_path / "previous"
    _previous_tree(old_tree)
    old = dict(installation, PYTHONPATH=str(old_tree))
    where = _run(old, old_tree, sys.executable, "-c", "import dudao; print(dudao.__file__)")
    assert Path(where.strip()).is_relative_to(old_tree), where  # the old code, not the venv's

    manage = str(old_tree / "manage.py")
    _run(old, old_tree, sys.executable, manage, "migrate", "--noinput", "-v0")
    _run(old, old_tree, sys.executable, manage, "demo")
    before_json = tmp_path / "before.json"
    before_json.write_text(_run(old, old_tree, sys.executable, str(HERE / "upgrade_digest.py")))
    before: dict[str, Any] = json.loads(before_json.read_text())
    assert before["projects_project"]["count"] > 0
    assert before["audit_auditevent"]["count"] > 0
    figures = _run(old, old_tree, sys.executable, str(HERE / "upgrade_figures.py"))
    assert json.loads(figures)["total"]["projects"] > 0

    _run(installation, REPO, DUDAO, "migrate", "--noinput", "-v0")
    _run(installation, REPO, DUDAO, "migrate", "--check")  # nothing left unapplied

    after: dict[str, Any] = json.loads(
        _run(installation, REPO, sys.executable, str(HERE / "upgrade_digest.py"), str(before_json))
    )
    assert sorted(after) == sorted(before)  # no table of the previous release dropped
    altered = sorted(
        t
        for t in before
        if (after[t]["count"], after[t]["sha256"]) != (before[t]["count"], before[t]["sha256"])
    )
    assert altered == []
    grown = sorted(t for t in before if after[t]["total"] != before[t]["total"])
    assert set(grown) <= MAY_GROW, grown

    assert _run(installation, REPO, sys.executable, str(HERE / "upgrade_figures.py")) == figures
    verified = _run(installation, REPO, DUDAO, "audit", "verify")
    assert verified.strip()
