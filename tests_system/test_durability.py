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
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests_system.stack import HERE, REPO, Stack, production_stack

JUDGES = 40
SITES_EACH = 10
PAUSE = (0.3, 2.0)  # seconds between a judge's sites: the server goes idle between bursts
RETRY_SHARE = 0.1  # saves sent twice with the same key, as a phone on a bad network does
STORAGE_ERRORS = ("disk I/O error", "database disk image is malformed", "file is not a database")

pytestmark = pytest.mark.system


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data = tmp_path_factory.mktemp("durability")
    with production_stack(data, "durability", ["durability_setup.py", str(JUDGES)]) as built:
        yield built


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
