"""A private PostgreSQL cluster for bench/crash.py's database-server kill point.

initdb + pg_ctl in a temp dir, on its own port (default 55432) and its own socket directory;
the machine's shared server (5432) is never touched. `crash()` SIGKILLs this cluster's
postmaster and every backend of it (the processes this object started, found by their parent
pid), as a power cut or the OOM killer would; `start()` then runs crash recovery. When run as
root, the cluster runs as the `postgres` account (initdb refuses root).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path

from bench.procs import children_of, log, on_cleanup

BIN = Path(os.environ.get("DUDAO_PG_BIN", "/usr/lib/postgresql/15/bin"))


class PrivatePostgres:
    def __init__(self, root: Path, port: int) -> None:
        if port == 5432:
            raise ValueError("5432 is the machine's shared PostgreSQL")
        self.root = root
        self.data = root / "data"
        self.sockets = root / "run"
        self.port = port
        self.crashes = 0
        self._as: list[str] = []
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", "postgres", "--"]
        on_cleanup(self.destroy)

    def _run(self, *argv: str, timeout: float = 120) -> str:
        done = subprocess.run(
            [*self._as, *argv], capture_output=True, text=True, timeout=timeout, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)}: {done.stdout[-500:]} {done.stderr[-500:]}")
        return done.stdout

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.sockets.mkdir(exist_ok=True)
        if self._as:
            user = pwd.getpwnam("postgres")
            for path in (self.root, self.sockets):
                os.chown(path, user.pw_uid, user.pw_gid)
            os.chmod(self.root.parent, 0o755)  # noqa: S103 - the postgres account must enter it
        self._run(
            str(BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--data-checksums",
        )

    def start(self) -> None:
        """Start (after a crash: crash recovery); retried while old backends still exit."""
        options = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
            "-c fsync=on -c synchronous_commit=on -c full_page_writes=on "
            "-c max_connections=60 -c shared_buffers=64MB"
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                self._run(
                    str(BIN / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-o",
                    options,
                    "-l",
                    str(self.root / "server.log"),
                    "-w",
                    "-t",
                    "90",
                    "start",
                )
                return
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1.0)

    def postmaster(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def crash(self) -> None:
        """SIGKILL the postmaster and all its backends at once."""
        pid = self.postmaster()
        if pid is None:
            return
        victims = [pid, *children_of(pid)]
        for victim in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if not any(Path(f"/proc/{v}").exists() and _not_zombie(v) for v in victims):
                break
            time.sleep(0.05)
        self.crashes += 1

    def _sql(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(sql)

    def create(self, name: str) -> None:
        self._sql(f'CREATE DATABASE "{name}"')

    def create_from(self, name: str, template: str) -> None:
        self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        # FILE_COPY, not PostgreSQL 15's default WAL_LOG: with WAL_LOG a sequence of the copy
        # falls back to the template's value after crash recovery while the rows written since
        # stay (next insert: duplicate key) — a server artefact of the copy, not of the app
        # (reproduced with a bare table: identity at 1407, rows to 1412 after the crash).
        self._sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')

    def idle(self, name: str) -> None:
        self._sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "  # noqa: S608 - our name
            f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        )

    def drop(self, name: str) -> None:
        with contextlib.suppress(Exception):
            self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def destroy(self) -> None:
        if self.data.exists():
            with contextlib.suppress(Exception):
                self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
            shutil.rmtree(self.root, ignore_errors=True)
            log(f"   private PostgreSQL on {self.port} stopped and removed")


def _not_zombie(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
