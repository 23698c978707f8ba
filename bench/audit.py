"""The cost of sealing audit events: record_event events/s before and after the hash chain.

    .venv/bin/python -m bench.audit [--ref 2ea8f6a] [--events 2000] [--skip-postgres]

Runs the same measurement in this tree (sealed) and in a `git archive` of REF (before the
chain) on SQLite and PostgreSQL, each in a fresh database; writes bench/results/audit.md.
One event per transaction, as a service writes it; actor, organisation and a small
before/after (the common shape). Also times `verify` over the whole chain (events/s).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from io import BytesIO
from pathlib import Path

from bench.common import REPO, base_env

PG = "postgres://postgres@127.0.0.1:5432/"


def measure(events: int) -> dict[str, float]:
    """In a prepared environment: migrate, then time record_event (and verify when present)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from dudao.audit.models import AuditEvent
    from dudao.audit.services import record_event

    before = {"name": "甲县重点项目", "amount": "1234.56", "status": "draft"}
    after = {"name": "甲县重点项目", "amount": "2345.67", "status": "submitted"}
    for _ in range(50):  # warm-up
        with transaction.atomic():
            record_event(actor=None, action="bench.event", before=before, after=after)
    start = time.perf_counter()
    for i in range(events):
        with transaction.atomic():
            record_event(
                actor=None,
                action="bench.event",
                before=before,
                after={**after, "i": i},
                object_repr=f"事件 {i}",
            )
    elapsed = time.perf_counter() - start
    result = {"events": float(events), "record_per_s": events / elapsed}
    try:
        from dudao.audit import chain
    except ImportError:
        return result
    start = time.perf_counter()
    verified = chain.verify(anchors=[])
    elapsed = time.perf_counter() - start
    assert verified.ok, verified.problem
    result["verify_per_s"] = AuditEvent.objects.count() / elapsed
    return result


def run_in(tree: Path, database: str, events: int) -> dict[str, float]:
    """Run `measure` in a subprocess rooted at `tree` against a fresh database."""
    with tempfile.TemporaryDirectory(prefix="dudao-bench-audit-") as tmp:
        name = ""
        env = base_env(Path(tmp), DJANGO_SETTINGS_MODULE="dudao.settings")
        if database == "postgresql":
            name = f"dudao_bench_audit_{uuid.uuid4().hex[:8]}"
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
            env["DUDAO_DATABASE_URL"] = PG + name
        env["PYTHONPATH"] = str(tree)
        code = f"import json; from bench.audit import measure; print(json.dumps(measure({events})))"
        try:
            out = subprocess.run(
                [sys.executable, "-c", code],
                cwd=tree,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        finally:
            if name:
                subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", name], check=False)
        return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="2ea8f6a", help="the commit before the chain")
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    databases = ["sqlite"] if args.skip_postgres else ["sqlite", "postgresql"]
    rows = []
    with tempfile.TemporaryDirectory(prefix="dudao-bench-ref-") as tmp:
        old = Path(tmp)
        archive = subprocess.run(
            ["git", "archive", args.ref], cwd=REPO, check=True, capture_output=True
        ).stdout
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(old, filter="data")
        # The reference tree gets this script (it measures the same way in both).
        (old / "bench" / "audit.py").write_text(Path(__file__).read_text())
        for database in databases:
            before = run_in(old, database, args.events)
            after = run_in(REPO, database, args.events)
            rows.append((database, before, after))
    lines = [
        "# Audit sealing cost (issue 11 item 10)",
        "",
        f"`python -m bench.audit --events {args.events}`: {args.events} events, one per "
        f"transaction, no actor, a small before/after; before = `{args.ref}` (no chain), "
        "after = this tree (HMAC-SHA256 chain, head locked per event). "
        f"Machine: {os.cpu_count()} cores, shared; {time.strftime('%Y-%m-%d %H:%M')}.",
        "",
        "| Database | before (events/s) | after (events/s) | after / before | verify (events/s) |",
        "|---|---:|---:|---:|---:|",
    ]
    for database, before, after in rows:
        ratio = after["record_per_s"] / before["record_per_s"]
        lines.append(
            f"| {database} | {before['record_per_s']:.0f} | {after['record_per_s']:.0f} | "
            f"{ratio:.2f} | {after.get('verify_per_s', 0):.0f} |"
        )
    text = "\n".join(lines) + "\n"
    out = REPO / "bench" / "results" / "audit.md"
    out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
