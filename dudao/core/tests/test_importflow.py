"""The shared web import flow (dudao.core.importflow) with a stand-in importer: the staged file
and its metadata, single use, expiry, tampering, cleanup, and what the page receives."""

from __future__ import annotations

import fcntl
import json
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory

from dudao.core import importflow
from dudao.core.imports import ImportRejected, ImportReport, RowError, split_untouched
from dudao.core.xlsx import Row


@pytest.fixture(autouse=True)
def _staging(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path


class User:
    def __init__(self, pk: int) -> None:
        self.pk = pk


class Importer:
    """Counts its real (non-dry) runs; refuses files starting with b"bad"."""

    def __init__(self) -> None:
        self.written: list[bytes] = []

    def __call__(self, data: bytes, *, filename: str, actor: Any, dry_run: bool) -> ImportReport:
        if data.startswith(b"bad"):
            raise ImportRejected([RowError(3, "金额", "不是数字。")])
        if not dry_run:
            self.written.append(data)
        return ImportReport("k", rows=2, created=1, unchanged=1, dry_run=dry_run, skipped=1)


def post(data: dict[str, Any], user: int = 1) -> Any:
    request = RequestFactory().post("/x/", data)
    request.user = User(user)  # type: ignore[assignment]
    return request


def upload(func: Importer, content: bytes = b"PK file", user: int = 1) -> importflow.FlowResult:
    return importflow.run_upload(
        post({"file": SimpleUploadedFile("表.xlsx", content)}, user), kind="k", func=func
    )


def confirm(func: Importer, token: str, user: int = 1, kind: str = "k") -> Any:
    return importflow.run_upload(post({"token": token}, user), kind=kind, func=func)


def test_dry_run_stages_the_file_with_its_hash_owner_kind_and_expiry() -> None:
    func = Importer()
    flow = upload(func)
    assert flow.token
    assert flow.skipped == 1
    assert not func.written
    meta = json.loads((importflow.staging_root() / f"{flow.token}.json").read_text())
    assert meta["user_id"] == 1
    assert meta["kind"] == "k"
    assert meta["filename"] == "表.xlsx"
    assert len(meta["sha256"]) == 64
    assert 29 * 60 < meta["expires"] - time.time() <= 30 * 60
    assert (importflow.staging_root() / f"{flow.token}.bin").read_bytes() == b"PK file"


def test_confirm_imports_the_stored_bytes_once() -> None:
    func = Importer()
    token = upload(func).token
    done = confirm(func, token)
    assert done.committed
    assert not done.repeated
    assert func.written == [b"PK file"]
    again = confirm(func, token)
    assert again.committed
    assert again.repeated
    assert "已新增 1 条" in again.summary
    assert func.written == [b"PK file"]
    # the bytes are gone once used; the result stays for the repeated answer
    assert not (importflow.staging_root() / f"{token}.bin").exists()


def test_wrong_user_kind_or_token_is_404() -> None:
    func = Importer()
    token = upload(func).token
    for tok, user, kind in (
        (token, 2, "k"),
        (token, 1, "other"),
        ("A" * 32, 1, "k"),
        ("../" + token, 1, "k"),
    ):
        with pytest.raises(Http404):
            confirm(func, tok, user=user, kind=kind)
    assert not func.written


def test_expired_token_asks_for_a_new_upload() -> None:
    func = Importer()
    token = upload(func).token
    path = importflow.staging_root() / f"{token}.json"
    meta = json.loads(path.read_text())
    meta["expires"] = time.time() - 1
    path.write_text(json.dumps(meta))
    flow = confirm(func, token)
    assert flow.message == importflow.EXPIRED_MESSAGE
    assert not func.written


def test_tampered_file_is_refused() -> None:
    func = Importer()
    token = upload(func).token
    (importflow.staging_root() / f"{token}.bin").write_bytes(b"PK other")
    assert confirm(func, token).message == importflow.TAMPERED_MESSAGE
    assert not func.written


def test_a_held_lock_answers_busy() -> None:
    func = Importer()
    token = upload(func).token
    with (importflow.staging_root() / f"{token}.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another server process is importing it
        assert confirm(func, token).message == importflow.BUSY_MESSAGE
    assert not func.written


def test_the_lock_of_a_process_killed_mid_import_is_taken_over() -> None:
    """A server killed mid-import (SIGKILL) leaves the lock file but not the lock: the same
    confirm again imports, once, instead of answering 正在导入 for ever."""
    func = Importer()
    token = upload(func).token
    (importflow.staging_root() / f"{token}.lock").touch()  # left by the killed process
    assert confirm(func, token).committed
    assert len(func.written) == 1
    again = confirm(func, token)
    assert again.repeated
    assert len(func.written) == 1


def test_rejected_dry_run_keeps_nothing_and_lists_errors() -> None:
    flow = upload(Importer(), b"bad file")
    assert flow.token == ""
    assert flow.error_count == 1
    assert str(flow.errors[0]) == "第3行「金额」列：不是数字。"
    root = importflow.staging_root()
    assert not root.exists() or not any(root.iterdir())


def test_no_file_says_so() -> None:
    flow = importflow.run_upload(post({}), kind="k", func=Importer())
    assert flow.message == "请选择要上传的文件。"


def test_purge_removes_only_what_has_expired() -> None:
    func = Importer()
    live = upload(func).token
    old = upload(func).token
    used = upload(func).token
    confirm(func, used)
    now = time.time() + importflow.STAGING_TTL.total_seconds() + 1
    for token in (live,):
        path = importflow.staging_root() / f"{token}.json"
        meta = json.loads(path.read_text())
        meta["expires"] = now + 60
        path.write_text(json.dumps(meta))
    assert importflow.purge_expired(now) == 1  # `old`; `used` is kept for repeated confirms
    assert not (importflow.staging_root() / f"{old}.json").exists()
    assert (importflow.staging_root() / f"{used}.json").exists()
    later = now + importflow.DONE_KEPT.total_seconds() + 120
    assert importflow.purge_expired(later) == 2


def test_split_untouched_rows() -> None:
    rows = [
        Row(2, {"金额": None, "说明": "  ", "有无问题": "否"}),
        Row(3, {"金额": 5, "说明": "", "有无问题": "否"}),
        Row(4, {"金额": "", "说明": "", "有无问题": ""}),
        Row(5, {"金额": None, "说明": "", "有无问题": "是"}),
    ]
    editable = ["金额", "说明", "有无问题"]
    kept, skipped = split_untouched(rows, editable, lambda _r: {"有无问题": "否"})
    assert [r.number for r in kept] == [3, 5]
    assert skipped == [2, 4]
    kept, skipped = split_untouched(rows, ["金额", "说明"])
    assert [r.number for r in kept] == [3]
    # a file without any editable column: every row is checked, none skipped
    assert split_untouched(rows, []) == (rows, [])


def test_header_template_has_the_columns_and_notes() -> None:
    import io

    import openpyxl

    book = openpyxl.load_workbook(
        io.BytesIO(importflow.header_template("清单", ["名称"], ["备注"], ["补充说明"]))
    )
    assert [c.value for c in book["清单"][1]] == ["名称", "备注"]
    assert "3. 补充说明" in [r[0].value for r in book["填报说明"].iter_rows()]
