"""`dudao import KIND FILE --as USER`: the registry, the actor, and all-or-nothing reporting."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dudao.accounts.models import User
from dudao.core import imports
from dudao.core.imports import ImportRejected, ImportReport, RegisteredImporter, RowError
from dudao.testing import World

pytestmark = pytest.mark.django_db
CALLS: list[dict[str, Any]] = []


def _fake(data: bytes, *, filename: str, actor: User, dry_run: bool) -> ImportReport:
    CALLS.append({"data": data, "filename": filename, "actor": actor.username, "dry": dry_run})
    if data.startswith(b"bad"):
        raise ImportRejected([RowError(3, "金额", "应为数字，实为「abc」。"), RowError(0, "", "x")])
    if data.startswith(b"same"):
        return ImportReport("fake", rows=2, unchanged=2, dry_run=dry_run)
    return ImportReport("fake", rows=3, created=2, updated=1, dry_run=dry_run)


@pytest.fixture(autouse=True)
def fake_importer(monkeypatch: pytest.MonkeyPatch) -> None:
    CALLS.clear()
    registry = dict(imports.IMPORTERS)
    registry["fake"] = RegisteredImporter("fake", "测试", _fake)
    monkeypatch.setattr(imports, "IMPORTERS", registry)


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_as_the_named_user(tmp_path: Path, world: World) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"ok")
    out, _ = _run("fake", str(path), "--as", world.county_a_reporter.username.upper())
    assert out.strip() == "共 3 行：已新增 2 条，已更新 1 条，0 条无变化。"
    assert [
        {
            "data": b"ok",
            "filename": "a.csv",
            "actor": world.county_a_reporter.username,
            "dry": False,
        }
    ] == CALLS


def test_it_says_when_nothing_changed_and_marks_a_dry_run(tmp_path: Path, world: World) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"same")
    out, _ = _run("fake", str(path), "--as", world.county_a_reporter.username)
    assert out.strip() == "共 2 行，与系统中的数据完全一致，未做任何修改。"
    path.write_bytes(b"ok")
    out, _ = _run("fake", str(path), "--as", world.county_a_reporter.username, "--dry-run")
    assert out.strip() == "共 3 行：将新增 2 条，将更新 1 条，0 条无变化。（试导入，未写入）"


def test_it_lists_every_error_and_fails(tmp_path: Path, world: World) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"bad")
    err = StringIO()
    with pytest.raises(CommandError, match="导入未执行：发现 2 处错误，未写入任何数据。"):
        call_command("import", "fake", str(path), "--as", world.judge.username, stderr=err)
    assert err.getvalue().splitlines() == ["x", "第3行「金额」列：应为数字，实为「abc」。"]


def test_it_reports_json_for_machines(tmp_path: Path, world: World) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"bad")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import", "fake", str(path), "--as", world.judge.username, "--json", stdout=out
        )
    assert json.loads(out.getvalue())["errors"][1] == {
        "row": 3,
        "column": "金额",
        "message": "应为数字，实为「abc」。",
    }


def test_it_refuses_an_unknown_kind_user_or_file(tmp_path: Path, world: World) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"ok")
    with pytest.raises(CommandError, match="未知的导入类型「nope」"):
        _run("nope", str(path), "--as", world.judge.username)
    with pytest.raises(CommandError, match="用户「ghost」不存在或已停用。"):
        _run("fake", str(path), "--as", "ghost")
    with pytest.raises(CommandError, match="无法读取文件"):
        _run("fake", str(tmp_path / "missing.csv"), "--as", world.judge.username)
    assert CALLS == []
