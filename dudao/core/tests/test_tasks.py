"""Housekeeping: expired sessions and stale temporary uploads are removed (RES-01..03)."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from pytest_django import Settings

from dudao.accounts.models import LoginSession
from dudao.core import importflow
from dudao.core.tasks import housekeeping, purge_expired_sessions, purge_stale_uploads
from dudao.testing import World

HOUR = 3600.0


def _session(expire: dt.datetime) -> str:
    store = SessionStore()
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=expire)
    assert store.session_key is not None
    return store.session_key


def _file(path: Path, age_seconds: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    stamp = time.time() - age_seconds
    os.utime(path, (stamp, stamp))
    return path


@pytest.mark.django_db
def test_it_purges_expired_sessions_and_their_index_rows(world: World) -> None:
    now = timezone.now()
    old = [_session(now - dt.timedelta(minutes=1)), _session(now - dt.timedelta(days=3))]
    live = _session(now + dt.timedelta(hours=1))
    for key in [*old, live]:
        LoginSession.objects.create(user=world.judge, session_key=key)
    LoginSession.objects.create(user=world.judge, session_key="gone-already")

    assert purge_expired_sessions() == 2

    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert list(LoginSession.objects.values_list("session_key", flat=True)) == [live]
    assert purge_expired_sessions() == 0


def test_it_purges_stale_uploads_only(tmp_path: Path) -> None:
    stale = [_file(tmp_path / "a.xlsx", 25 * HOUR), _file(tmp_path / "deep" / "b.csv", 48 * HOUR)]
    fresh = [_file(tmp_path / "c.xlsx", 23 * HOUR), _file(tmp_path / "deep" / "d.csv", 60)]

    assert purge_stale_uploads(tmp_path, max_age_seconds=24 * HOUR) == 2

    assert [p.exists() for p in stale] == [False, False]
    assert [p.exists() for p in fresh] == [True, True]
    assert (tmp_path / "deep").is_dir()  # directories stay
    assert purge_stale_uploads(tmp_path, max_age_seconds=24 * HOUR) == 0


def test_it_uses_the_data_dirs_tmp_and_the_configured_age(
    tmp_path: Path, settings: Settings
) -> None:
    settings.DATA_DIR = tmp_path
    settings.DUDAO_STALE_UPLOAD_AGE = dt.timedelta(hours=2)
    old = _file(tmp_path / "tmp" / "upload.part", 3 * HOUR)
    young = _file(tmp_path / "tmp" / "upload2.part", 1 * HOUR)
    outside = _file(tmp_path / "uploads" / "kept.pdf", 100 * HOUR)
    assert purge_stale_uploads() == 1
    assert (old.exists(), young.exists(), outside.exists()) == (False, True, True)


def test_it_ignores_a_missing_directory(tmp_path: Path) -> None:
    assert purge_stale_uploads(tmp_path / "missing", max_age_seconds=0) == 0


@pytest.mark.django_db
def test_it_runs_both_jobs_hourly(tmp_path: Path, settings: Settings) -> None:
    settings.DATA_DIR = tmp_path
    _file(tmp_path / "tmp" / "x", 48 * HOUR)
    _session(timezone.now() - dt.timedelta(seconds=1))
    meta = importflow.stage(b"x", kind="k", scope="", user_id=1, filename="a.xlsx")
    meta_path = importflow.staging_root() / f"{meta.token}.json"
    meta_path.write_text(meta_path.read_text().replace(str(meta.expires), "0"))
    assert housekeeping.call_local() == {"sessions": 1, "uploads": 1, "import_staging": 1}
    task = housekeeping.s()  # runs at minute 17 of every hour
    assert task.validate_datetime(dt.datetime(2026, 5, 1, 10, 17)) is True  # noqa: DTZ001
    assert task.validate_datetime(dt.datetime(2026, 5, 1, 3, 17)) is True  # noqa: DTZ001
    assert task.validate_datetime(dt.datetime(2026, 5, 1, 10, 18)) is False  # noqa: DTZ001
