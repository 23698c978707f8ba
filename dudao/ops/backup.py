"""Consistent backups with a manifest, and restores that refuse what they cannot trust.

A backup is one directory ``dudao-YYYYMMDD-HHMMSS`` holding:

- ``db.sqlite3`` (SQLite's online backup API: one consistent copy while the server writes) or
  ``db.dump`` (``pg_dump -Fc`` inside an exported REPEATABLE READ snapshot, so that the row
  counts of the manifest are those of the dump, even under writes);
- ``uploads/`` (the data directory's uploaded files) and ``keys/`` (the secret and audit keys
  and the audit anchor file, when they live in the data directory rather than in the environment:
  without the audit key a restored audit log cannot be verified);
- ``manifest.json``: format, versions, the migration state, the row count of every table and
  the SHA-256 and size of every file.

The directory is written under a ``.partial`` name and renamed when complete, so a crash never
leaves something that looks like a backup. A restore checks every file against the manifest
(a changed, missing or extra file is refused), refuses a backup of a newer release or of the
other database kind, restores only into an empty database, checks the row counts, and then
migrates the database forward when the backup came from an older release.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

import dudao

FORMAT = 1
MANIFEST = "manifest.json"
PREFIX = "dudao-"
PARTIAL = ".partial"
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator (Chinese)."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    seconds: float
    size_bytes: int


@dataclass(frozen=True)
class RestoreResult:
    tables: int
    rows: int
    files: int
    migrated: list[str]
    seconds: float


# --- files ----------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _files_of(root: Path) -> dict[str, dict[str, Any]]:
    """Every file under `root` except the manifest: relative POSIX path → sha256 and size."""
    listing: dict[str, dict[str, Any]] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            rel = path.relative_to(root).as_posix()
            listing[rel] = {"sha256": sha256_of(path), "size": path.stat().st_size}
    return listing


def _fsync_tree(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())


def _key_files() -> list[Path]:
    """The data directory's own key and anchor files (absent when set by the environment)."""
    data = Path(settings.DATA_DIR)
    names = ["secret_key", "audit_key"]
    found = [data / name for name in names if (data / name).is_file()]
    anchors = Path(settings.DUDAO_AUDIT_ANCHOR_FILE)
    if anchors.is_file():
        found.append(anchors)
    return found


# --- the database ---------------------------------------------------------------------------


def vendor() -> str:
    return str(connection.vendor)


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _read_only(path: Path) -> sqlite3.Connection:
    """Open a backup file without writing anything beside it (no -wal/-shm): the folder must
    stay exactly as its manifest lists it, however often it is verified or restored."""
    return sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)


def _sqlite_counts(path: Path) -> dict[str, int]:
    with closing(_read_only(path)) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {}
        for name in names:  # names from the catalogue, quoted
            row = db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()  # noqa: S608
            counts[name] = int(row[0])
        return counts


def _sqlite_snapshot(target: Path) -> dict[str, int]:
    """Copy the live database with SQLite's online backup API (one step: consistent).

    Never from inside a transaction: this connection's own write lock (transactions begin
    IMMEDIATE, dudao/core/sqlite.py) would keep the copy waiting for ever.
    """
    if connection.in_atomic_block:
        raise BackupError("备份不能在数据库事务中进行，请在命令行或定时任务中运行")
    connection.ensure_connection()
    copy_sqlite(connection.connection, target)
    return _sqlite_counts(target)


def copy_sqlite(source: sqlite3.Connection, target: Path) -> None:
    """One consistent copy of ``source`` in ``target``, as a self-contained file.

    The copy would carry the live file's WAL flag, and any reader of a WAL file leaves -wal and
    -shm files beside it that the manifest does not list; a rollback-journal copy has none.
    """
    with closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")


def _tool(name: str) -> str:
    """The full path of a PostgreSQL client program (package postgresql-client)."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"未找到 {name}：请安装与数据库同版本的 postgresql-client")
    return path


def _pg_params() -> tuple[list[str], dict[str, str]]:
    """pg_dump/pg_restore connection arguments and environment for the default database."""
    db = settings.DATABASES["default"]
    args = ["-d", str(db["NAME"])]
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _pg_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def _one(row: tuple[Any, ...] | None) -> Any:
    if row is None:  # pragma: no cover - these queries always return a row
        raise BackupError("数据库没有返回结果")
    return row[0]


def _pg_snapshot(target: Path) -> dict[str, int]:
    """pg_dump -Fc inside an exported snapshot; the counts are read in the same snapshot.

    A connection of its own: the snapshot must be the first thing its transaction does, which
    Django's connection (perhaps inside a request's or a test's transaction) cannot promise.
    """
    import psycopg
    from psycopg.conninfo import make_conninfo

    args, env = _pg_params()
    db = settings.DATABASES["default"]
    conninfo = make_conninfo(
        **{
            key: str(db[name])
            for key, name in (
                ("dbname", "NAME"),
                ("host", "HOST"),
                ("port", "PORT"),
                ("user", "USER"),
                ("password", "PASSWORD"),
            )
            if db.get(name)
        }
    )
    with psycopg.connect(conninfo, autocommit=True) as own, own.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = _one(cursor.fetchone())
        counts = {}
        for name in _pg_tables(cursor):  # names from the catalogue, quoted
            cursor.execute(f'SELECT COUNT(*) FROM "{name}"')  # noqa: S608
            counts[name] = int(_one(cursor.fetchone()))
        done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [
                _tool("pg_dump"),
                "-Fc",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                "-f",
                str(target),
                *args,
            ],
            env=env,
            capture_output=True,
            check=False,
        )
        cursor.execute("COMMIT")
    if done.returncode != 0:
        raise BackupError(f"pg_dump 失败：{done.stderr.decode(errors='replace').strip()[:500]}")
    return counts


# --- backup ---------------------------------------------------------------------------------


def write_manifest(work: Path, kind: str, db_file: str, counts: dict[str, int]) -> dict[str, Any]:
    """Write `manifest.json` for the files now in `work` and return it."""
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "dudao_version": dudao.__version__,
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": {"vendor": kind, "file": db_file},
        "migrations": _applied_migrations(),
        "tables": counts,
        "files": _files_of(work),
    }
    (work / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
    )
    return manifest


def backup_root() -> Path:
    return Path(settings.DUDAO_BACKUP_DIR)


def create_backup(out: Path | None = None) -> BackupResult:
    """Write a complete backup directory under `out` (default: the configured backup folder)."""
    started = time.monotonic()
    root = (out or backup_root()).expanduser().resolve()
    root.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    name = f"{PREFIX}{stamp}"
    n = 1
    while (root / name).exists():
        n += 1
        name = f"{PREFIX}{stamp}-{n}"
    work = root / f".{name}{PARTIAL}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(mode=0o700)
    try:
        kind = vendor()
        if kind == "sqlite":
            db_file, counts = "db.sqlite3", _sqlite_snapshot(work / "db.sqlite3")
        elif kind == "postgresql":
            db_file, counts = "db.dump", _pg_snapshot(work / "db.dump")
        else:  # pragma: no cover - settings allow only these two
            raise BackupError(f"不支持的数据库：{kind}")
        uploads = Path(settings.MEDIA_ROOT)
        if uploads.is_dir():
            shutil.copytree(uploads, work / "uploads")
        keys = work / "keys"
        keys.mkdir(mode=0o700)
        for path in _key_files():
            shutil.copy2(path, keys / path.name)
        manifest = write_manifest(work, kind, db_file, counts)
        _fsync_tree(work)
        final = root / name
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    size = sum(p.stat().st_size for p in final.rglob("*") if p.is_file())
    return BackupResult(final, manifest, time.monotonic() - started, size)


# --- retention ------------------------------------------------------------------------------


def backup_time(path: Path) -> dt.datetime | None:
    """The local time in a backup directory's name, or None for anything else."""
    if not path.name.startswith(PREFIX) or not (path / MANIFEST).is_file():
        return None
    try:
        return dt.datetime.strptime(  # noqa: DTZ007 - the folder names carry local time
            path.name[len(PREFIX) : len(PREFIX) + 15], "%Y%m%d-%H%M%S"
        )
    except ValueError:
        return None


def to_keep(
    stamps: list[dt.datetime], daily: int = 7, weekly: int = 4, monthly: int = 12
) -> set[dt.datetime]:
    """Grandfather-father-son: the newest backup of each of the last `daily` days that have
    one, of the last `weekly` ISO weeks and of the last `monthly` months."""
    keep: set[dt.datetime] = set()
    for count, bucket in (
        (daily, lambda t: t.date()),
        (weekly, lambda t: t.isocalendar()[:2]),
        (monthly, lambda t: (t.year, t.month)),
    ):
        seen: list[object] = []
        for stamp in sorted(stamps, reverse=True):
            key = bucket(stamp)
            if key in seen:
                continue
            if len(seen) == count:
                break
            seen.append(key)
            keep.add(stamp)
    return keep


def prune(root: Path | None = None, **policy: int) -> list[Path]:
    """Delete the backups the retention policy does not keep, and stale partial folders."""
    root = root or backup_root()
    if not root.is_dir():
        return []
    found = {path: stamp for path in root.iterdir() if (stamp := backup_time(path)) is not None}
    keep = to_keep(list(found.values()), **policy)
    removed = [path for path, stamp in found.items() if stamp not in keep]
    cutoff = time.time() - 24 * 3600
    for path in root.iterdir():
        if path.name.endswith(PARTIAL) and path.stat().st_mtime < cutoff:
            removed.append(path)
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return sorted(removed)


# --- restore --------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict[str, Any]:
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} 不是备份目录：没有 {MANIFEST}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BackupError(f"{MANIFEST} 已损坏，无法读取") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"备份清单格式不受支持（需要第 {FORMAT} 版）")
    return manifest


def verify_files(source: Path, manifest: dict[str, Any]) -> None:
    """Every listed file present with its size and SHA-256, and no file that is not listed."""
    listed: dict[str, dict[str, Any]] = manifest.get("files") or {}
    present = {
        p.relative_to(source).as_posix()
        for p in source.rglob("*")
        if p.is_file() and p.name != MANIFEST
    }
    missing = sorted(set(listed) - present)
    if missing:
        raise BackupError(f"备份缺少文件：{missing[0]}（共 {len(missing)} 个），已拒绝恢复")
    extra = sorted(present - set(listed))
    if extra:
        raise BackupError(f"备份中有清单未列出的文件：{extra[0]}（共 {len(extra)} 个），已拒绝恢复")
    for rel, facts in listed.items():
        path = source / rel
        if path.stat().st_size != facts.get("size") or sha256_of(path) != facts.get("sha256"):
            raise BackupError(f"文件 {rel} 与备份清单的校验值不符，备份可能已被改动，已拒绝恢复")


def _check_versions(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """Refuse a backup of another database kind or of a newer release; return what the backup
    lacks (the migrations this release will apply after the restore)."""
    kind = manifest.get("database", {}).get("vendor")
    if kind != vendor():
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"备份来自 {names.get(str(kind), kind)} 数据库，当前配置的是 "
            f"{names.get(vendor(), vendor())}，已拒绝恢复"
        )
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    in_backup = {
        (app, name) for app, names in manifest.get("migrations", {}).items() for name in names
    }
    unknown = sorted(in_backup - known)
    if unknown:
        app, name = unknown[0]
        raise BackupError(
            f"备份来自更新的版本 {manifest.get('dudao_version')}"
            f"（含本程序没有的迁移 {app}.{name}），请先把程序升级到该版本或更新，再恢复"
        )
    return sorted(known - in_backup)


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    return tables <= {"django_migrations"}


def _restore_sqlite(source: Path) -> None:
    target = Path(str(settings.DATABASES["default"]["NAME"]))
    connections.close_all()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with closing(_read_only(source)) as backup_db, closing(sqlite3.connect(target)) as live:
        backup_db.backup(live)


def _restore_pg(source: Path) -> None:
    args, env = _pg_params()
    connections.close_all()
    done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            *args,
            str(source),
        ],
        env=env,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore 失败：{done.stderr.decode(errors='replace').strip()[:500]}")


def _live_counts(tables: list[str]) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for name in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{name}"')  # noqa: S608 - manifest's names
            counts[name] = int(cursor.fetchone()[0])
    return counts


def _restore_keys(source: Path) -> None:
    """Put the backup's key files into the data directory. The target is empty, so a key this
    process generated at start-up protects nothing yet; the settings of this process follow."""
    keys = source / "keys"
    if not keys.is_dir():
        return
    data = Path(settings.DATA_DIR)
    for path in keys.iterdir():
        if path.name == Path(settings.DUDAO_AUDIT_ANCHOR_FILE).name:
            shutil.copy2(path, settings.DUDAO_AUDIT_ANCHOR_FILE)
            continue
        target = data / path.name
        env_name = {"secret_key": "DUDAO_SECRET_KEY", "audit_key": "DUDAO_AUDIT_KEY"}.get(path.name)
        if env_name is None or os.environ.get(env_name):
            continue  # set by the environment: the operator provides the same value there
        shutil.copy2(path, target)
        os.chmod(target, 0o600)
        value = target.read_text().strip()
        if path.name == "audit_key":
            settings.DUDAO_AUDIT_KEY = value.encode()
        else:
            settings.SECRET_KEY = value


def restore(source: Path) -> RestoreResult:
    """Restore a verified backup into this (empty) installation, then migrate it forward."""
    from django.core.management import call_command

    started = time.monotonic()
    source = source.expanduser().resolve()
    manifest = read_manifest(source)
    verify_files(source, manifest)
    pending = _check_versions(manifest)
    if not _database_is_empty():
        raise BackupError("目标数据库不是空的：恢复只写入新建的空数据库，已拒绝（不覆盖现有数据）")
    uploads = Path(settings.MEDIA_ROOT)
    if uploads.is_dir() and any(p.is_file() for p in uploads.rglob("*")):
        raise BackupError(f"目标上传目录 {uploads} 不是空的，已拒绝恢复")
    database = manifest["database"]
    if database["vendor"] == "sqlite":
        _restore_sqlite(source / database["file"])
    else:
        _restore_pg(source / database["file"])
    expected: dict[str, int] = manifest.get("tables") or {}
    live = _live_counts(sorted(expected))
    differ = sorted(name for name in expected if live.get(name) != expected[name])
    if differ:
        name = differ[0]
        raise BackupError(
            f"恢复后表 {name} 的行数为 {live.get(name)}，清单记录为 {expected[name]}，"
            "恢复结果不可信"
        )
    if (source / "uploads").is_dir():
        shutil.copytree(source / "uploads", uploads, dirs_exist_ok=True)
    _restore_keys(source)
    if pending:
        call_command("migrate", interactive=False, verbosity=0)
    files = sum(1 for rel in manifest.get("files", {}) if rel.startswith("uploads/"))
    return RestoreResult(
        tables=len(expected),
        rows=sum(expected.values()),
        files=files,
        migrated=[f"{app}.{name}" for app, name in pending],
        seconds=time.monotonic() - started,
    )
