"""/healthz, /readyz and the 运行状态 page; the job failure log; `dudao check-deploy`."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from dudao.ops import services, tasks
from dudao.ops.models import BackupRun, JobFailure, WorkerHeartbeat
from dudao.testing import World

pytestmark = pytest.mark.django_db


def _backup_row(age: dt.timedelta) -> None:
    BackupRun.objects.create(
        path="/var/backups/dudao-x",
        created_at=timezone.now() - age,
        size_bytes=1,
        seconds=1.0,
        tables=1,
        rows=1,
        files=1,
    )


def test_healthz_answers_without_the_database_and_sets_no_cookie(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert not response.cookies
    assert "no-cache" in response["Cache-Control"]


def test_readyz_fails_without_worker_and_backup_and_says_why(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False
    failed = {c["key"]: c["detail"] for c in body["checks"] if not c["ok"]}
    assert set(failed) == {"worker", "backup"}
    assert "请启动任务进程" in failed["worker"]
    assert not response.cookies


def test_readyz_is_ready_with_a_fresh_heartbeat_and_backup(client: Client) -> None:
    services.beat("host:1")
    _backup_row(dt.timedelta(hours=3))
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert {c["key"] for c in response.json()["checks"]} == {
        "database",
        "migrations",
        "worker",
        "disk",
        "backup",
    }


def test_readyz_fails_on_a_stale_heartbeat_an_old_backup_or_a_full_disk(
    client: Client, settings: Settings
) -> None:
    WorkerHeartbeat.objects.create(
        worker="host:1", seen_at=timezone.now() - dt.timedelta(minutes=3)
    )
    _backup_row(dt.timedelta(hours=27))
    settings.DUDAO_MIN_FREE_DISK_MB = 10**12
    failed = {c["key"] for c in client.get("/readyz").json()["checks"] if not c["ok"]}
    assert failed == {"worker", "backup", "disk"}


def test_the_heartbeat_job_keeps_one_row_per_worker() -> None:
    tasks.worker_heartbeat.call_local()
    tasks.worker_heartbeat.call_local()
    assert WorkerHeartbeat.objects.count() == 1


def test_a_failed_job_is_written_down_for_the_sysadmin(client: Client, world: World) -> None:
    task = SimpleNamespace(name="dudao.ops.tasks.nightly_backup", id="abc", retries=1)
    tasks._on_error("error", task, OSError("磁盘已满"))
    failure = JobFailure.objects.get()
    assert failure.will_retry is True
    assert failure.task_label == "夜间备份"
    client.force_login(world.sysadmin)
    page = client.get("/ops/").content.decode()
    for text in ("夜间备份", "OSError: 磁盘已满", "将自动重试一次"):
        assert text in page


def test_the_status_page_is_for_the_sysadmin_only(client: Client, world: World) -> None:
    client.force_login(world.city_leader)
    assert client.get("/ops/").status_code == 403


def _check_deploy() -> tuple[str, str]:
    out = StringIO()
    try:
        call_command("check_deploy", stdout=out)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), ""


def test_check_deploy_fails_on_debug_a_weak_key_open_hosts_and_plain_cookies(
    settings: Settings,
) -> None:
    settings.DEBUG = True
    settings.SECRET_KEY = "CHANGE-ME-to-at-least-50-random-characters-e.g.-from-openssl"
    settings.ALLOWED_HOSTS = ["*"]
    settings.SESSION_COOKIE_SECURE = False
    out, error = _check_deploy()
    assert "部署检查未通过" in error
    for code in ("ops.E001", "ops.E002", "ops.E003", "ops.E004"):
        assert code in out
    assert "[错误] DEBUG 已打开" in out


def test_check_deploy_passes_a_production_configuration(settings: Settings, tmp_path: Path) -> None:
    settings.DEBUG = False
    settings.SECRET_KEY = "q8Yw3-Lk2Pz9_Xv7Rb1Nc6Md0Ta5Sf4Gh8Jk2Lz7Xc3Vb9Nm1Qw6Er0Ty5Ui4Op"
    settings.ALLOWED_HOSTS = ["dudao.example.gov.cn"]
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.DUDAO_BACKUP_DIR = tmp_path
    out, error = _check_deploy()
    assert error == "", out
    assert "部署检查通过" in out
