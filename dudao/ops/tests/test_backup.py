"""Backups: the manifest, the verification a restore does before touching anything, the
version and vendor refusals, and the retention policy (7 daily, 4 weekly, 12 monthly).

The whole drill (demo → backup → restore elsewhere → row- and file-exact comparison) runs as
processes in tests_system/test_backup_drill.py.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from django.db import connection
from pytest_django import Settings

from dudao.audit.models import AuditEvent
from dudao.ops import backup, services

# Not transactional (a flush would take the data migrations' rows from the test files that run
# after this one). The database copy itself is exercised by the drill
# (tests_system/test_backup_drill.py, real processes, SQLite and PostgreSQL); here a backup folder
# is made by hand around a small SQLite file and the manifest is written by the backup's own code.
pytestmark = pytest.mark.django_db
# Backup folder names carry local wall-clock time, so the retention tests use naive times.
# ruff: noqa: DTZ001


@pytest.fixture
def made(tmp_path: Path, settings: Settings) -> Path:
    folder = tmp_path / "backups" / "dudao-20261207-023000"
    (folder / "uploads" / "a").mkdir(parents=True)
    (folder / "uploads" / "a" / "photo.jpg").write_bytes(b"\xff\xd8 not really a photo")
    with sqlite3.connect(folder / "db.sqlite3") as db:
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        db.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])
    db.close()
    counts = backup._sqlite_counts(folder / "db.sqlite3")
    backup.write_manifest(folder, connection.vendor, "db.sqlite3", counts)
    return folder


def test_a_manifest_lists_every_table_with_its_rows_and_every_file_with_its_hash(
    made: Path,
) -> None:
    manifest = backup.read_manifest(made)
    assert manifest["database"] == {"vendor": connection.vendor, "file": "db.sqlite3"}
    assert manifest["tables"] == {"t": 2}
    assert set(manifest["files"]) == {"db.sqlite3", "uploads/a/photo.jpg"}
    assert manifest["files"]["uploads/a/photo.jpg"]["sha256"] == backup.sha256_of(
        made / "uploads" / "a" / "photo.jpg"
    )
    assert "projects" in manifest["migrations"]
    backup.verify_files(made, manifest)  # an untouched backup verifies


def test_a_copy_of_a_wal_database_leaves_only_its_own_file_however_often_it_is_read(
    tmp_path: Path,
) -> None:
    live_path, folder = tmp_path / "live.sqlite3", tmp_path / "backup"
    folder.mkdir()
    with closing(sqlite3.connect(live_path)) as live:
        assert live.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
        live.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        live.executemany("INSERT INTO t VALUES (?)", [(1,), (2,), (3,)])
        live.commit()
        backup.copy_sqlite(live, folder / "db.sqlite3")
    for _ in range(2):  # the backup's count, then a verification or a restore reading it
        assert backup._sqlite_counts(folder / "db.sqlite3") == {"t": 3}
    assert [p.name for p in folder.iterdir()] == ["db.sqlite3"]
    assert (folder / "db.sqlite3").read_bytes()[18:20] == b"\x01\x01"  # not WAL


def test_a_backup_is_recorded_and_audited(
    made: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = backup.read_manifest(made)
    result = backup.BackupResult(made, manifest, 1.5, 4096)
    monkeypatch.setattr(backup, "create_backup", lambda out=None: result)
    run = services.make_backup(tmp_path, actor_name="测试")
    assert (run.path, run.tables, run.rows, run.files) == (str(made), 1, 2, 2)
    event = AuditEvent.objects.get(action="ops.backup")
    assert event.object_id == str(run.pk)
    assert event.actor_name == "测试"


def test_a_backup_inside_a_transaction_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL backups take their snapshot on a connection of their own")
    with pytest.raises(backup.BackupError, match="不能在数据库事务中"):
        backup.create_backup(tmp_path)  # a test runs inside a transaction
    assert list(tmp_path.iterdir()) == []


def test_a_changed_file_is_refused(made: Path) -> None:
    (made / "uploads" / "a" / "photo.jpg").write_bytes(b"\xff\xd8 swapped")
    with pytest.raises(backup.BackupError, match=r"uploads/a/photo\.jpg 与备份清单的校验值不符"):
        backup.verify_files(made, backup.read_manifest(made))


def test_a_missing_or_an_extra_file_is_refused(made: Path) -> None:
    manifest = backup.read_manifest(made)
    (made / "uploads" / "planted.txt").write_text("x")
    with pytest.raises(backup.BackupError, match=r"清单未列出的文件：uploads/planted\.txt"):
        backup.verify_files(made, manifest)
    (made / "uploads" / "planted.txt").unlink()
    (made / "uploads" / "a" / "photo.jpg").unlink()
    with pytest.raises(backup.BackupError, match=r"备份缺少文件：uploads/a/photo\.jpg"):
        backup.verify_files(made, manifest)


def test_a_backup_of_a_newer_release_is_refused(made: Path) -> None:
    manifest = backup.read_manifest(made)
    manifest["migrations"]["projects"].append("9999_from_the_future")
    manifest["dudao_version"] = "9.0.0"
    with pytest.raises(backup.BackupError, match=r"备份来自更新的版本 9\.0\.0.*projects\.9999"):
        backup._check_versions(manifest)


def test_a_backup_of_the_other_database_kind_is_refused(made: Path) -> None:
    manifest = backup.read_manifest(made)
    manifest["database"]["vendor"] = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    with pytest.raises(backup.BackupError, match="已拒绝恢复"):
        backup._check_versions(manifest)


def test_an_older_backup_names_the_migrations_it_will_get(made: Path) -> None:
    manifest = backup.read_manifest(made)
    dropped = manifest["migrations"]["ops"].pop()
    assert backup._check_versions(manifest) == [("ops", dropped)]


def test_restore_refuses_a_database_that_is_not_empty(made: Path) -> None:
    with pytest.raises(backup.BackupError, match="目标数据库不是空的"):
        backup.restore(made)


def test_a_folder_without_a_readable_manifest_is_refused(tmp_path: Path) -> None:
    with pytest.raises(backup.BackupError, match="不是备份目录"):
        backup.read_manifest(tmp_path)
    (tmp_path / backup.MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(backup.BackupError, match="已损坏"):
        backup.read_manifest(tmp_path)
    (tmp_path / backup.MANIFEST).write_text(json.dumps({"format": 99}), encoding="utf-8")
    with pytest.raises(backup.BackupError, match="格式不受支持"):
        backup.read_manifest(tmp_path)


# --- retention ------------------------------------------------------------------------------


def _nightly(days: int, end: dt.datetime) -> list[dt.datetime]:
    return [end - dt.timedelta(days=n) for n in range(days)]


def test_retention_keeps_7_daily_4_weekly_and_12_monthly() -> None:
    end = dt.datetime(2026, 12, 7, 2, 30)
    stamps = _nightly(500, end)
    keep = backup.to_keep(stamps)
    days = {s for s in keep if end - s < dt.timedelta(days=7)}
    assert len(days) == 7
    weeks = {s.isocalendar()[:2] for s in keep}
    assert len(weeks) >= 4
    months = {(s.year, s.month) for s in keep}
    assert len(months) == 12
    assert min(keep) >= dt.datetime(2026, 1, 1)  # the 12th month back is 2026-01
    assert len(keep) <= 7 + 4 + 12


def test_retention_keeps_the_newest_of_each_day() -> None:
    morning = dt.datetime(2026, 12, 7, 2, 30)
    stamps = [morning, morning.replace(hour=14)]
    assert backup.to_keep(stamps) == {morning.replace(hour=14)}


def test_prune_deletes_what_is_not_kept_and_stale_partials(tmp_path: Path) -> None:
    end = dt.datetime(2026, 12, 7, 2, 30)
    for stamp in _nightly(60, end):
        folder = tmp_path / f"dudao-{stamp:%Y%m%d-%H%M%S}"
        folder.mkdir()
        (folder / backup.MANIFEST).write_text("{}")
    partial = tmp_path / ".dudao-20261201-023000.partial"
    partial.mkdir()
    import os

    os.utime(partial, (0, 0))
    (tmp_path / "notes.txt").write_text("not a backup: left alone")
    removed = backup.prune(tmp_path)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert "notes.txt" in left
    assert partial in removed
    kept = [n for n in left if n.startswith("dudao-")]
    assert len(kept) == len(backup.to_keep(_nightly(60, end)))
    assert f"dudao-{end:%Y%m%d-%H%M%S}" in kept
