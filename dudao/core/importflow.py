"""The web import flow shared by every upload page: 试导入 keeps the file server-side, 确认导入
posts only a token.

    upload (dry run) ─► stage(): the bytes and a metadata file under DATA_DIR/import_staging,
                        with the file's SHA-256, the uploader, the import kind and scope and an
                        expiry (STAGING_TTL) ─► the importer runs with dry_run=True
    confirm (token)  ─► claim(): the token must be the same user's (else 404, like a missing
                        one), of the same kind and scope, not expired (a Chinese message asking
                        to upload again) and its file must still hash to the recorded SHA-256;
                        the claim is an exclusive lock (flock) on a lock file, so a token is used
                        once — a second confirm gets the first import's result back instead of a
                        second import; a process killed mid-import leaves no lock behind.

The importer itself is the same all-or-nothing function the CLI calls (dudao.core.imports).
The large importers (月报, 指标数值长表) keep a clean dry run's validated plan in the process
(dudao.core.importplans): a confirm served by the same process writes it after checking, in the
write's transaction, that every row the validation read is unchanged; otherwise — another
worker, a change meanwhile — the confirm is the full import, as before.
Expired staging files are removed on every upload and by the hourly housekeeping job.
Nothing here is a database row: a staged file is a short-lived working copy, not a record (the
import's audit event records the file's hash when it is written).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest

from dudao.core.exceptions import DomainError
from dudao.core.imports import (
    MAX_ERRORS_SHOWN,
    MAX_IMPORT_BYTES,
    ImportRejected,
    ImportReport,
    RowError,
)

STAGING_TTL = timedelta(minutes=30)
# A used token's result is kept this long after its expiry, so a repeated confirm (a double
# click, the browser's back button) is answered with the first result, not "expired".
DONE_KEPT = timedelta(hours=24)
TOKEN_RE = re.compile(r"\A[A-Za-z0-9_-]{32}\Z")

EXPIRED_MESSAGE = "试导入的文件已过期（保留 30 分钟），请重新选择文件试导入。"
TAMPERED_MESSAGE = "服务器上保存的试导入文件已损坏或被改动，已拒绝导入，请重新选择文件试导入。"
BUSY_MESSAGE = "该文件正在导入，请稍后刷新页面查看结果。"


class StagedFileExpired(DomainError):
    code = "import_expired"
    status_code = 410


class StagedFileTampered(DomainError):
    code = "import_tampered"
    status_code = 409


class StagedFileBusy(DomainError):
    code = "import_busy"
    status_code = 409


@dataclass
class StagedFile:
    """The metadata of one staged upload (stored as JSON beside the bytes)."""

    token: str
    kind: str
    scope: str
    user_id: int
    filename: str
    sha256: str
    size: int
    created: float
    expires: float
    # after the confirm: the import's result (`ImportReport.as_dict()`)
    result: dict[str, Any] | None = None


def staging_root() -> Path:
    return Path(settings.DATA_DIR) / "import_staging"


def _paths(token: str) -> tuple[Path, Path, Path]:
    """(bytes, metadata, lock) of a token; a malformed token is a missing one."""
    if not TOKEN_RE.match(token or ""):
        raise Http404
    root = staging_root()
    return root / f"{token}.bin", root / f"{token}.json", root / f"{token}.lock"


def _write_json(path: Path, meta: StagedFile) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(meta), ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def _read_meta(path: Path) -> StagedFile | None:
    try:
        return StagedFile(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def stage(data: bytes, *, kind: str, scope: str, user_id: int, filename: str) -> StagedFile:
    """Keep `data` server-side for one later confirm; return its metadata (with the token)."""
    purge_expired()
    root = staging_root()
    root.mkdir(parents=True, exist_ok=True)
    now = time.time()
    meta = StagedFile(
        token=secrets.token_urlsafe(24),
        kind=kind,
        scope=scope,
        user_id=user_id,
        filename=filename[:200],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        created=now,
        expires=now + STAGING_TTL.total_seconds(),
    )
    blob, meta_path, _ = _paths(meta.token)
    blob.write_bytes(data)
    _write_json(meta_path, meta)
    return meta


def discard(token: str) -> None:
    """Forget a staged file (a dry run that found errors keeps nothing)."""
    for path in _paths(token):
        path.unlink(missing_ok=True)


def peek(token: str, *, user_id: int, kind: str, scope: str) -> StagedFile:
    """The metadata of a token the user may use for this kind and scope, else 404."""
    _, meta_path, _ = _paths(token)
    meta = _read_meta(meta_path)
    if meta is None or meta.user_id != user_id or meta.kind != kind or meta.scope != scope:
        raise Http404
    return meta


@contextlib.contextmanager
def claim(token: str, *, user_id: int, kind: str, scope: str) -> Iterator[tuple[StagedFile, bytes]]:
    """Hold the token's single-use lock while the caller imports its bytes.

    Leaving the block normally marks the token used (the caller sets `meta.result`); an
    exception releases the lock, so a file refused at commit time may be confirmed again after
    the data it depends on is fixed. A used token raises `AlreadyImported` with its result."""
    blob, meta_path, lock = _paths(token)
    meta = peek(token, user_id=user_id, kind=kind, scope=scope)
    if meta.result is not None:
        raise AlreadyImported(meta)
    if meta.expires < time.time():
        raise StagedFileExpired(EXPIRED_MESSAGE)
    fd = _hold(lock, meta_path)
    try:
        try:
            data = blob.read_bytes()
        except OSError:
            data = b""
        if hashlib.sha256(data).hexdigest() != meta.sha256 or len(data) != meta.size:
            raise StagedFileTampered(TAMPERED_MESSAGE)
        yield meta, data
    except BaseException:
        lock.unlink(missing_ok=True)
        os.close(fd)
        raise
    if meta.result is None:
        meta.result = {}
    meta.expires = max(meta.expires, time.time())
    _write_json(meta_path, meta)
    blob.unlink(missing_ok=True)  # the bytes are no longer needed; the result stays
    os.close(fd)


def _hold(lock: Path, meta_path: Path) -> int:
    """Take the token's lock: an advisory lock (flock) on its lock file, held by the open
    descriptor. The kernel drops it when the process dies, so a server killed mid-import
    (SIGKILL, OOM, power) leaves no lock that answers 正在导入 for ever: the next confirm takes
    it over and imports (the import is one transaction: it either committed — the importer
    then finds every row unchanged — or left nothing). Raises Busy or AlreadyImported."""
    fd = os.open(lock, os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        again = _read_meta(meta_path)
        if again is not None and again.result is not None:
            raise AlreadyImported(again) from None
        raise StagedFileBusy(BUSY_MESSAGE) from None
    again = _read_meta(meta_path)  # the holder before us may have just finished
    if again is not None and again.result is not None:
        os.close(fd)
        raise AlreadyImported(again)
    return fd


class AlreadyImported(Exception):
    """The token was used before: `meta.result` is what that import did."""

    def __init__(self, meta: StagedFile) -> None:
        self.meta = meta
        super().__init__(meta.token)


def purge_expired(now: float | None = None) -> int:
    """Delete staged files past their expiry (used ones: DONE_KEPT after it); return how many
    tokens were removed."""
    root = staging_root()
    if not root.is_dir():
        return 0
    now = time.time() if now is None else now
    removed = 0
    for meta_path in root.glob("*.json"):
        meta = _read_meta(meta_path)
        token = meta_path.stem
        if not TOKEN_RE.match(token):
            continue
        if meta is None:
            # unreadable metadata: only once it is old enough not to be half-written
            with contextlib.suppress(OSError):
                if meta_path.stat().st_mtime > now - STAGING_TTL.total_seconds():
                    continue
            end = 0.0
        else:
            end = meta.expires + (DONE_KEPT.total_seconds() if meta.result is not None else 0)
        if end < now:
            discard(token)
            removed += 1
    # bytes whose metadata is gone (a crash between the two writes)
    for blob in root.glob("*.bin"):
        with contextlib.suppress(OSError):
            meta_path = blob.with_suffix(".json")
            if not meta_path.exists() and blob.stat().st_mtime < now - STAGING_TTL.total_seconds():
                blob.unlink()
                removed += 1
    return removed


# --- the page side ------------------------------------------------------------------------------


@dataclass
class FlowResult:
    """What an upload page shows after a POST (the shared partial includes/import_flow.html)."""

    report: ImportReport | dict[str, Any] | None = None
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    message: str = ""  # a whole-request problem (no file, expired token …)
    token: str = ""  # set after a clean dry run that would change something
    filename: str = ""
    expires_minutes: int = int(STAGING_TTL.total_seconds() // 60)
    committed: bool = False
    repeated: bool = False  # a second confirm of the same token

    @property
    def summary(self) -> str:
        if isinstance(self.report, ImportReport):
            return self.report.summary()
        return str((self.report or {}).get("summary", ""))

    def _get(self, name: str) -> Any:
        if isinstance(self.report, ImportReport):
            return getattr(self.report, name)
        return (self.report or {}).get(name)

    @property
    def skipped(self) -> int:
        return int(self._get("skipped") or 0)

    @property
    def skipped_rows(self) -> str:
        """The skipped rows' numbers for the user ("第3、5、8行"; long lists shortened)."""
        rows = list(self._get("skipped_rows") or [])
        if not rows:
            return ""
        shown = "、".join(str(n) for n in rows[:30])
        return f"第{shown}行" + (f"等 {len(rows)} 行" if len(rows) > 30 else "")

    @property
    def warnings(self) -> list[str]:
        return [
            str(w) if isinstance(w, RowError) else str(RowError(**w))
            for w in (self._get("warnings") or [])
        ]

    @property
    def posted(self) -> bool:
        return bool(self.report or self.errors or self.message)


ImportCall = Callable[..., ImportReport]


def _rejected(result: FlowResult, exc: ImportRejected) -> FlowResult:
    result.errors = exc.errors[:MAX_ERRORS_SHOWN]
    result.error_count = len(exc.errors)
    return result


def run_upload(
    request: HttpRequest,
    *,
    kind: str,
    func: ImportCall,
    scope: str = "",
    extra: dict[str, Any] | None = None,
) -> FlowResult:
    """Handle one POST of an upload page: a file → dry run (staged), a token → the import.

    `func` is the registered importer (called as the CLI calls it, plus `extra` keyword
    arguments); `scope` names the page's context (e.g. the month), so a token is only good on
    the page that produced it."""
    user = request.user
    user_id = int(getattr(user, "pk", 0) or 0)
    extra = extra or {}
    result = FlowResult()
    token = str(request.POST.get("token", "")).strip()
    if token:
        return _confirm(result, token, user, user_id, kind, scope, func, extra)
    upload = request.FILES.get("file")
    if upload is None:
        result.message = "请选择要上传的文件。"
        return result
    if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
        result.message = f"文件过大（上限 {MAX_IMPORT_BYTES // 1024 // 1024} MB）。"
        return result
    data = upload.read(MAX_IMPORT_BYTES + 1)
    filename = str(upload.name or "")
    result.filename = filename
    try:
        report = func(data, filename=filename, actor=user, dry_run=True, **extra)
    except ImportRejected as exc:
        return _rejected(result, exc)
    except DomainError as exc:
        result.message = exc.message
        return result
    result.report = report
    if report.changed:
        meta = stage(data, kind=kind, scope=scope, user_id=user_id, filename=filename)
        result.token = meta.token
    return result


def _confirm(  # noqa: PLR0917 - the page's whole context
    result: FlowResult,
    token: str,
    user: Any,
    user_id: int,
    kind: str,
    scope: str,
    func: ImportCall,
    extra: dict[str, Any],
) -> FlowResult:
    try:
        with claim(token, user_id=user_id, kind=kind, scope=scope) as (meta, data):
            result.filename = meta.filename
            report = func(data, filename=meta.filename, actor=user, dry_run=False, **extra)
            meta.result = report.as_dict()
    except AlreadyImported as done:
        result.report = done.meta.result or {}
        result.filename = done.meta.filename
        result.committed = result.repeated = True
        return result
    except ImportRejected as exc:
        return _rejected(result, exc)
    except DomainError as exc:
        result.message = exc.message
        return result
    result.report = report
    result.committed = True
    return result


def header_template(
    sheet: str, required: Sequence[str], optional: Sequence[str] = (), notes: Sequence[str] = ()
) -> bytes:
    """An empty import template: the header row (required columns first, each with a comment
    saying whether it must be filled) and a 填报说明 sheet with `notes`."""
    from dudao.core.xlsx import Column, Sheet, workbook_bytes

    columns = [Column(h, max(10, len(h) * 2 + 2), comment="必填") for h in required]
    columns += [Column(h, max(10, len(h) * 2 + 2), comment="选填") for h in optional]
    lines = [
        ("填报说明",),
        ("1. 第一行为表头，请勿修改；每行一条数据，不要合并单元格、不要使用公式。",),
        ("2. 批注为“必填”的列不能为空；上传时先试导入，无误后再确认导入（全部成功才写入）。",),
        *((f"{i}. {text}",) for i, text in enumerate(notes, start=3)),
    ]
    notes_sheet = Sheet("填报说明", [Column("说明", 100)], lines)
    return workbook_bytes([Sheet(sheet, columns, []), notes_sheet])
