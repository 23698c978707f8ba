"""Importing a 督查任务清单 from Excel: whole-file validation, all-or-nothing, idempotent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dudao.core.imports import ImportRejected
from dudao.core.xlsx import Column, Sheet, workbook_bytes
from dudao.supervision.importers import OPTIONAL, REQUIRED, SHEET, import_tasks
from dudao.supervision.models import SupervisionTask, TaskSource
from dudao.testing import World

pytestmark = pytest.mark.django_db
HEADERS = [*REQUIRED, *OPTIONAL]


def _file(rows: list[dict[str, Any]]) -> bytes:
    return workbook_bytes(
        [
            Sheet(
                SHEET, [Column(h) for h in HEADERS], [[r.get(h, "") for h in HEADERS] for r in rows]
            )
        ]
    )


def _row(**extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "来源类型": "文件",
        "来源名称": "关于实行重点工作督查任务清单化管理的通知",
        "来源日期": timezone.localdate(),
        "文号": "示政办〔2026〕18号",
        "任务名称": "制定产业图谱",
        "工作任务": "围绕三类产业制定产业图谱",
        "工作目标": "发布产业图谱",
        "牵头单位编码": "SFS-A",
        "完成时限": timezone.localdate() + timedelta(days=30),
        "反馈周期": "每月",
        "交办": "是",
    }
    row.update(extra)
    return row


def test_it_imports_once_and_then_changes_nothing(world: World) -> None:
    data = _file(
        [
            _row(),
            _row(任务名称="跟踪已签约项目", 牵头单位编码="SFS-B", 完成时限="", 时限天数=20,
                 时限单位="工作日", 交办="否", 配合单位编码="SFS-A-FGW、SFS-B-FGW"),
        ]
    )  # fmt: skip
    report = import_tasks(data, filename="清单.xlsx", actor=world.city_supervisor, dry_run=False)
    assert (report.created, report.unchanged) == (2, 0)
    issued = SupervisionTask.objects.get(title="制定产业图谱")
    assert issued.status == "assigned"
    draft = SupervisionTask.objects.get(title="跟踪已签约项目")
    assert draft.status == "draft"
    assert draft.deadline_mode == "workday"
    assert draft.deadline_amount == 20
    assert draft.co_orgs.count() == 2
    assert TaskSource.objects.filter(doc_number="示政办〔2026〕18号").count() == 1
    again = import_tasks(data, filename="清单.xlsx", actor=world.city_supervisor, dry_run=False)
    assert (again.created, again.unchanged) == (0, 2)
    assert again.summary() == "共 2 行，与系统中的数据完全一致，未做任何修改。"


def test_it_rejects_the_whole_file_with_every_error(world: World) -> None:
    data = _file(
        [
            _row(),
            _row(任务名称="坏行", 牵头单位编码="NOPE", 工作目标="",
                 完成时限=timezone.localdate() - timedelta(days=1)),
            _row(),
        ]
    )  # fmt: skip
    with pytest.raises(ImportRejected) as exc:
        import_tasks(data, filename="清单.xlsx", actor=world.city_supervisor, dry_run=False)
    messages = {(e.row, e.column): e.message for e in exc.value.errors}
    assert messages[(3, "牵头单位编码")] == "单位编码「NOPE」不存在或不在您的数据范围内。"
    assert messages[(3, "工作目标")] == "必填，不能为空。"
    assert "已过" in messages[(3, "完成时限")]
    assert "与第 2 行重复" in messages[(4, "任务名称")]
    assert not SupervisionTask.objects.exists()


def test_a_county_cannot_import_tasks_for_another_county(world: World) -> None:
    data = _file([_row(牵头单位编码="SFS-B")])
    with pytest.raises(ImportRejected, match="不在您的数据范围内"):
        import_tasks(data, filename="清单.xlsx", actor=world.county_a_reviewer, dry_run=False)


def test_a_dry_run_writes_nothing(world: World) -> None:
    report = import_tasks(
        _file([_row()]), filename="清单.xlsx", actor=world.city_supervisor, dry_run=True
    )
    assert report.created == 1
    assert not SupervisionTask.objects.exists()
