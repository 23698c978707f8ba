"""A job killed mid-run (SIGKILL of the worker) is queued again once, then given up on."""

from __future__ import annotations

import socket
import subprocess
from types import SimpleNamespace

import pytest
from huey import MemoryHuey

from dudao.ops import jobruns, tasks
from dudao.ops.models import JobFailure, JobRun, WorkerHeartbeat

pytestmark = pytest.mark.django_db


def _dead_worker() -> str:
    """host:pid of a process that has exited (and been reaped)."""
    child = subprocess.Popen(["true"])  # noqa: S607 - a trivial child
    child.wait()
    return f"{socket.gethostname()}:{child.pid}"


@pytest.fixture
def queue() -> MemoryHuey:
    huey = MemoryHuey("jobruns-test", immediate=False)

    @huey.task(name="daily_digest")  # type: ignore[untyped-decorator]
    def daily_digest(day: str) -> str:
        return day

    huey.daily_digest = daily_digest
    return huey


def _start(queue: MemoryHuey) -> object:
    task = queue.daily_digest.s("2026-12-07")
    jobruns.started(task, queue.serialize_task(task))
    return task


def _kill(worker: str) -> None:
    JobRun.objects.update(worker=worker)


def test_a_job_killed_mid_run_is_queued_again_once_then_recorded_as_failed(
    queue: MemoryHuey,
) -> None:
    task = _start(queue)
    _kill(_dead_worker())

    assert jobruns.recover_interrupted(queue) == {"requeued": ["daily_digest"], "gave_up": []}
    assert queue.pending_count() == 1
    again = queue.dequeue()
    assert (again.id, again.args) == (task.id, ("2026-12-07",))  # type: ignore[attr-defined]
    assert JobRun.objects.get().attempt == 1
    assert jobruns.recover_interrupted(queue)["requeued"] == []  # queued: not an orphan

    jobruns.started(again, queue.serialize_task(again))  # the retry runs …
    assert JobRun.objects.get().attempt == 1  # … keeping its attempt count
    _kill(_dead_worker())  # … and is killed again

    assert jobruns.recover_interrupted(queue) == {"requeued": [], "gave_up": ["daily_digest"]}
    assert queue.pending_count() == 0
    assert not JobRun.objects.exists()
    failure = JobFailure.objects.get()
    assert (failure.task, failure.task_id, failure.will_retry) == ("daily_digest", task.id, False)  # type: ignore[attr-defined]
    assert "不再自动重试" in failure.error


def test_a_job_of_a_live_worker_or_of_another_host_is_left_alone(queue: MemoryHuey) -> None:
    _start(queue)
    assert jobruns.recover_interrupted(queue)["requeued"] == []  # this very process
    _kill(f"other-host.example:{1}")
    assert jobruns.recover_interrupted(queue)["requeued"] == []
    _kill(f"{socket.gethostname()}:1")  # pid 1 is alive
    assert jobruns.recover_interrupted(queue)["requeued"] == []
    assert queue.pending_count() == 0
    assert JobRun.objects.get().attempt == 0


def test_the_post_execute_hook_forgets_a_job_however_it_ended(queue: MemoryHuey) -> None:
    task = _start(queue)
    tasks._after_execute(task, None, RuntimeError("boom"))
    assert not JobRun.objects.exists()


def test_every_minute_jobs_are_not_kept() -> None:
    for name in ("dudao.ops.tasks.worker_heartbeat", "dudao.audit.tasks.anchor_audit_chain"):
        task = SimpleNamespace(name=name, id="x")
        tasks._on_executing("executing", task)
        assert not jobruns.tracked(task)
    assert not JobRun.objects.exists()
    assert jobruns.tracked(SimpleNamespace(name="dudao.supervision.tasks.supervision_daily"))


def test_the_worker_beats_and_recovers_at_start(
    queue: MemoryHuey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/readyz is green right after a restart, not a minute later; killed jobs come back."""
    _start(queue)
    _kill(_dead_worker())
    monkeypatch.setattr(tasks, "HUEY", queue)
    tasks._recover_on_startup()
    assert WorkerHeartbeat.objects.filter(worker=jobruns.worker_name()).exists()
    assert queue.pending_count() == 1


def test_every_writing_job_is_retried_once_after_an_error() -> None:
    """A job that raises (the database restarting, a full disk) runs once more 5–10 min later;
    the every-minute jobs simply run at the next minute."""
    from dudao.bulletins.tasks import draft_monthly
    from dudao.core.tasks import housekeeping
    from dudao.ops.tasks import nightly_backup
    from dudao.supervision.tasks import supervision_daily

    for job in (supervision_daily, nightly_backup, housekeeping, draft_monthly):
        assert job.task_class.default_retries == 1, job.name
        assert 300 <= job.task_class.default_retry_delay <= 600, job.name
