"""Child processes in their own process groups, ports, temp dirs: and cleaning all of it up.

Every process the benchmarks start runs in a new session (so a new process group); `stop()`
signals the whole group (make → bash → gunicorn master + workers, huey consumer) and waits
until no process of the group is left. Whatever is still registered when the run ends (normally
or through an exception, Ctrl-C or SIGTERM) is stopped or removed by `cleanup_all()`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

_GROUPS: list[ProcessGroup] = []
_TEMP_DIRS: list[Path] = []
_CLEANUPS: list[Callable[[], None]] = []


def log(message: str) -> None:
    """Progress line (stdout, flushed)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def make_temp_dir(prefix: str) -> Path:
    """Create a temp dir that cleanup_all() removes."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    _TEMP_DIRS.append(path)
    return path


def remove_temp_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    if path in _TEMP_DIRS:
        _TEMP_DIRS.remove(path)


def on_cleanup(func: Callable[[], None]) -> None:
    """Register an extra cleanup (e.g. dropping a PostgreSQL database)."""
    _CLEANUPS.append(func)


def forget_cleanup(func: Callable[[], None]) -> None:
    """Unregister a cleanup that already ran."""
    if func in _CLEANUPS:
        _CLEANUPS.remove(func)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(port: int) -> bool:
    """True when nothing accepts connections on 127.0.0.1:port and the port can be bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (state is index 0)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rfind(")") + 2 :].split()


def pids_in_group(pgid: int) -> list[int]:
    """Live (non-zombie) processes whose process group is pgid."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields and fields[2] == str(pgid) and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def children_of(pid: int) -> list[int]:
    """Live direct children of pid."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields and fields[1] == str(pid) and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def proc_status_kb(pid: int, key: str) -> int | None:
    """A `kB` value from /proc/<pid>/status, e.g. VmHWM or VmRSS."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _busy_ticks() -> int:
    """Busy CPU ticks of the whole machine since boot (all CPUs)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return user + nice + system + irq + softirq + steal


def _own_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


class OtherCpu:
    """Share of the machine's CPU used by processes other than `pids` between start and stop.

    The benchmarks share the machine with whatever else runs; this tells how much did.
    """

    def __init__(self, pids: Callable[[], list[int]]) -> None:
        self.pids = pids
        self.started = 0.0
        self.busy = 0
        self.own = 0

    def start(self) -> None:
        self.started = time.monotonic()
        self.busy = _busy_ticks()
        self.own = _own_ticks(self.pids())

    def percent(self) -> float:
        """Other processes' CPU since start(), in % of all CPUs."""
        hz = os.sysconf("SC_CLK_TCK")
        elapsed = max(time.monotonic() - self.started, 1e-6)
        other = (_busy_ticks() - self.busy) - (_own_ticks(self.pids()) - self.own)
        return max(0.0, 100.0 * other / hz / elapsed / (os.cpu_count() or 1))


def wait_quiet(pids: Callable[[], list[int]], *, limit_pct: float, max_wait: float) -> float:
    """Wait (at most max_wait s) until others use < limit_pct of the CPUs over 3 s; return it."""
    deadline = time.monotonic() + max_wait
    meter = OtherCpu(pids)
    while True:
        meter.start()
        time.sleep(3.0)
        pct = meter.percent()
        if pct < limit_pct or time.monotonic() >= deadline:
            return pct


class ProcessGroup:
    """One command started in its own session; its output is timestamped line by line."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        log_path: Path,
    ) -> None:
        self.name = name
        self.log_path = log_path
        self.started = time.monotonic()
        self.lines: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._log: IO[str] = log_path.open("w", encoding="utf-8")
        self.proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.pgid = self.proc.pid
        _GROUPS.append(self)
        self._reader = threading.Thread(target=self._read, name=f"read-{name}", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in iter(self.proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            stamp = time.monotonic() - self.started
            with self._lock:
                self.lines.append((stamp, line))
                self._log.write(f"{stamp:8.2f} {line}\n")
                self._log.flush()

    def output(self) -> str:
        with self._lock:
            return "\n".join(line for _, line in self.lines)

    def first_line_time(self, needle: str) -> float | None:
        """Seconds after start at which a line containing needle was printed."""
        with self._lock:
            return next((t for t, line in self.lines if needle in line), None)

    def tail(self, n: int = 30) -> str:
        with self._lock:
            return "\n".join(line for _, line in self.lines[-n:])

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 30.0) -> bool:
        """SIGTERM the group, SIGKILL what is left after timeout; True when the group is gone."""
        if self in _GROUPS:
            _GROUPS.remove(self)
        ok = _signal_until_gone(self.pgid, signal.SIGTERM, timeout)
        if not ok:
            ok = _signal_until_gone(self.pgid, signal.SIGKILL, 10.0)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        self._reader.join(timeout=5)
        with self._lock:
            self._log.close()
        return ok


def _signal_until_gone(pgid: int, sig: signal.Signals, timeout: float) -> bool:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pids_in_group(pgid):
            return True
        time.sleep(0.1)
    return not pids_in_group(pgid)


def run_checked(
    argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run a short command to completion in its own session; raise with its output on failure."""
    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _signal_until_gone(proc.pid, signal.SIGKILL, 10.0)
        proc.communicate()
        raise RuntimeError(f"{' '.join(argv)}: no result after {timeout:.0f} s") from None
    except BaseException:
        _signal_until_gone(proc.pid, signal.SIGKILL, 10.0)
        raise
    if proc.returncode != 0:
        tail = "\n".join(out.splitlines()[-20:])
        raise RuntimeError(f"{' '.join(argv)} exited with {proc.returncode}:\n{tail}")
    return subprocess.CompletedProcess(list(argv), proc.returncode, out, None)


def cleanup_all() -> None:
    """Stop every registered process group and remove every registered temp dir."""
    for group in list(_GROUPS):
        group.stop(timeout=10.0)
    for func in reversed(_CLEANUPS):
        with contextlib.suppress(Exception):
            func()
    _CLEANUPS.clear()
    for path in list(_TEMP_DIRS):
        remove_temp_dir(path)
