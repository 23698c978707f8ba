"""Nothing acknowledged is ever lost: a paced crowd of judges scoring one tour through the
production server (`dudao serve`: 3 worker processes × 2 threads), with the job worker and a
third process opening, writing and closing the same database meanwhile — the shape under which
SQLite lost answered writes and corrupted its file (issue 11, Critical).

Every save answered 200 must be in the database with its scores, every submit answered
"submitted" must be submitted, no request may fail with a server error, the server log must
hold no storage error, and SQLite's integrity check must pass. The test builds its own
database (a temporary SQLite file, or a temporary PostgreSQL database on the server of
DUDAO_DATABASE_URL), so it runs the same way on both in CI. Loopback only, bounded in time.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[1]
DUDAO = str(Path(sys.executable).with_name("dudao"))
HERE = Path(__file__).resolve().parent
JUDGES = 40
SITES_EACH = 10
PAUSE = (0.3, 2.0)  # seconds between a judge's sites: the server goes idle between bursts
RETRY_SHARE = 0.1  # saves sent twice with the same key, as a phone on a bad network does
STORAGE_ERRORS = ("disk I/O error", "database disk image is malformed", "file is not a database")

pytestmark = pytest.mark.system


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _postgres_database(url: str) -> tuple[str, str]:
    """A URL for a new database on the same server, and the maintenance URL to create it."""
    parts = urlsplit(url)
    name = f"dudao_durability_{os.getpid()}"
    return (
        urlunsplit(parts._replace(path=f"/{name}")),
        urlunsplit(parts._replace(path="/postgres")),
    )


def _admin(maintenance_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        conn.execute(sql)


@dataclass
class Stack:
    env: dict[str, str]
    base: str
    config: dict[str, Any]
    server_log: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def run(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            list(args), cwd=REPO, env=self.env, capture_output=True, timeout=timeout, check=False
        )
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
        return done.stdout.decode()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data = tmp_path_factory.mktemp("durability")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - only a fallback for HOME
        "DUDAO_DATA_DIR": str(data),
        "DUDAO_SECURE_COOKIES": "0",
        "DUDAO_WORKERS": "3",
        "DUDAO_PORT": str(_free_port()),
        "DUDAO_LOG_LEVEL": "WARNING",
    }
    url = os.environ.get("DUDAO_DATABASE_URL", "")
    maintenance = ""
    if url.startswith(("postgres://", "postgresql://")):
        env["DUDAO_DATABASE_URL"], maintenance = _postgres_database(url)
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
        stack.run(DUDAO, "migrate", "--noinput", "-v0")
        stack.run(DUDAO, "demo")
        stack.config = json.loads(
            stack.run(sys.executable, str(HERE / "durability_setup.py"), str(JUDGES))
        )
        with stack.server_log.open("wb") as log:
            stack.processes.append(
                subprocess.Popen([DUDAO, "serve"], cwd=REPO, env=env, stdout=log, stderr=log)
            )
            stack.processes.append(
                subprocess.Popen(
                    [DUDAO, "worker", "--workers", "1"], cwd=REPO, env=env, stdout=log, stderr=log
                )
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{stack.base}/api/v1/me", timeout=5)
            except urllib.error.HTTPError:
                break  # 401: the server answers
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
            name = env["DUDAO_DATABASE_URL"].rsplit("/", 1)[1]
            _admin(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Tally:
    saved: dict[str, dict[str, int]] = field(default_factory=dict)  # "judge:site" -> scores
    submitted: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _post(base: str, token: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()[:300]
    except OSError as exc:  # refused, reset: recorded as a failure, the judge goes on
        return 0, repr(exc)


def _judge(stack: Stack, number: int, token: str, tally: Tally) -> None:
    rng = random.Random(number)
    sites = rng.sample(stack.config["sites"], SITES_EACH)
    for seq, site in enumerate(sites, 1):
        scores = {str(cid): rng.randint(0, top) for cid, top in site["criteria"]}
        key = f"durability-{number}-{site['id']}"
        ident = f"{number}:{site['id']}"
        body = {"scores": {k: str(v) for k, v in scores.items()}, "key": key, "seq": seq}
        for _attempt in range(2 if rng.random() < RETRY_SHARE else 1):
            status, answer = _post(
                stack.base, token, f"/api/v1/inspections/sites/{site['id']}/card", body
            )
            with tally.lock:
                if status == 200:
                    tally.saved[ident] = scores
                else:
                    tally.failures.append(f"save {ident}: {status} {answer!r}")
        status, answer = _post(
            stack.base, token, f"/api/v1/inspections/sites/{site['id']}/card/submit", {}
        )
        with tally.lock:
            if status == 200 and answer.get("status") == "submitted":
                tally.submitted.add(ident)
            else:
                tally.failures.append(f"submit {ident}: {status} {answer!r}")
        time.sleep(rng.uniform(*PAUSE))


def test_every_answered_write_survives_a_paced_crowd_of_judges(stack: Stack) -> None:
    churn = subprocess.Popen(
        [sys.executable, str(HERE / "durability_churn.py"), "20"],
        cwd=REPO,
        env=stack.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    tally = Tally()
    threads = [
        threading.Thread(target=_judge, args=(stack, number, token, tally))
        for number, token in enumerate(stack.config["tokens"])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    out, err = churn.communicate(timeout=120)
    assert churn.returncode == 0, err.decode(errors="replace")[-3000:]
    assert int(out.decode().strip()) > 10  # the other process did write meanwhile

    held = json.loads(stack.run(sys.executable, str(HERE / "durability_check.py")))
    log = stack.server_log.read_text(errors="replace")
    assert tally.failures == []
    assert [e for e in STORAGE_ERRORS if e in log] == []
    assert held["integrity"] in {"ok", "-"}
    assert len(tally.saved) == JUDGES * SITES_EACH
    lost = {
        ident: scores
        for ident, scores in tally.saved.items()
        if held["cards"].get(ident, {}).get("scores") != scores
    }
    assert lost == {}
    not_submitted = sorted(i for i in tally.submitted if held["cards"][i]["status"] != "submitted")
    assert not_submitted == []
    assert len(tally.submitted) == JUDGES * SITES_EACH
