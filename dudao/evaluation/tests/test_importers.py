"""Excel imports: whole-file validation with row and column, dry run, all-or-nothing, idempotence,
and the same functions behind `dudao import`."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from dudao.core.imports import ImportRejected
from dudao.core.xlsx import workbook_bytes
from dudao.evaluation import importers
from dudao.evaluation.models import InputValue, Result, StarAward, Title
from dudao.evaluation.tests.factories import make_parks, make_regime
from dudao.testing import World

pytestmark = pytest.mark.django_db


def xlsx(kind: str, rows: list[list[Any]]) -> bytes:
    return workbook_bytes(importers.template_sheets(kind, rows))


def test_inputs_dry_run_then_import_then_the_same_file_again(world: World) -> None:
    regime = make_regime(world.city_supervisor)
    a, b = make_parks(2)
    data = xlsx(
        "evaluation-inputs",
        [
            [regime.code, 2020, a.code, "tax", 12.5, ""],
            [regime.code, 2020, b.code, "tax", "8", "核实后"],
            [regime.code, 2020, a.code, "veto", 0, ""],
        ],
    )
    sup = world.city_supervisor
    dry = importers.import_inputs(data, filename="a.xlsx", actor=sup, dry_run=True)
    assert (dry.created, dry.dry_run) == (3, True)
    assert "（试导入，未写入）" in dry.summary()
    assert not InputValue.objects.exists()
    done = importers.import_inputs(data, filename="a.xlsx", actor=sup, dry_run=False)
    assert done.created == 3
    assert InputValue.objects.get(park=a, code="tax").value == Decimal("12.5")
    again = importers.import_inputs(data, filename="a.xlsx", actor=sup, dry_run=False)
    assert again.changed == 0
    assert again.summary() == "共 3 行，与系统中的数据完全一致，未做任何修改。"


def test_a_bad_file_lists_every_error_and_writes_nothing(world: World) -> None:
    regime = make_regime(world.city_supervisor)
    (a,) = make_parks(1)
    data = xlsx(
        "evaluation-inputs",
        [
            [regime.code, 2020, a.code, "tax", 10, ""],
            [regime.code, 2020, "NOPE", "tax", 10, ""],
            [regime.code, 2020, a.code, "fai", "约100", ""],
            [regime.code, 2018, a.code, "fai", 100, ""],
            ["XX", 2020, a.code, "tax", 1, ""],
            [regime.code, 2020, a.code, "zzz", 1, ""],
            [regime.code, 2020, a.code, "tax", 11, ""],
            [regime.code, 2099, a.code, "tax", 11, ""],
        ],
    )
    with pytest.raises(ImportRejected) as exc:
        importers.import_inputs(data, filename="b.xlsx", actor=world.city_supervisor, dry_run=False)
    messages = [str(e) for e in exc.value.errors]
    assert messages == [
        "第3行「园区编码」列：没有编码为「NOPE」的园区。",
        "第4行「数值」列：应为数字，实为「约100」。",
        "第5行「年度」列：2018年不在「测试考评办法T2017」的适用年度（2019—今）内。",
        "第6行「考评体系编码」列：没有编码为「XX」的考评体系。",
        "第7行「指标编码」列：「测试考评办法T2017」没有编码为「zzz」的指标或否决事项。",
        "第8行：与第2行重复（同一体系、年度、园区和指标只能出现一次）。",
        "第9行「年度」列：2099年尚未到来，不能导入该年度的考评数据。",
    ]
    assert not InputValue.objects.exists()


def test_a_service_refusal_rejects_the_whole_file(world: World) -> None:
    regime = make_regime(world.city_supervisor)
    a, b = make_parks(2)
    data = xlsx(
        "evaluation-inputs",
        [[regime.code, 2020, a.code, "tax", 5, ""], [regime.code, 2020, b.code, "veto", 3, ""]],
    )
    with pytest.raises(ImportRejected, match="只能填 1（有）或 0（无）"):
        importers.import_inputs(data, filename="c.xlsx", actor=world.city_supervisor, dry_run=False)
    assert not InputValue.objects.exists()


def test_published_ranking_titles_and_stars(world: World) -> None:
    sup = world.city_supervisor
    regime = make_regime(sup)
    parks = make_parks(12)
    doc = "豫集聚办〔2022〕1号"
    ranking = [[regime.code, 2021, p.code, 90 - i, i + 1, doc] for i, p in enumerate(parks)]
    ranking[-1][4] = None  # not ranked (取消考评资格)
    report = importers.import_results(
        xlsx("evaluation-results", ranking), filename="r.xlsx", actor=sup, dry_run=False
    )
    assert report.created == 12
    assert Result.objects.filter(year=2021, rank__isnull=False).count() == 11
    assert Title.objects.filter(kind="strong", source="computed").count() == 10
    titles = [[regime.code, 2021, parks[11].code, "十先进", doc]]
    importers.import_titles(
        xlsx("evaluation-titles", titles), filename="t.xlsx", actor=sup, dry_run=False
    )
    assert Title.objects.get(kind="advanced").park == parks[11]
    stars = [[regime.code, 2021, parks[0].code, 3, "是", doc]]
    importers.import_stars(
        xlsx("evaluation-stars", stars), filename="s.xlsx", actor=sup, dry_run=False
    )
    award = StarAward.objects.get()
    assert (award.level, award.first_time) == (3, True)
    bad = [[regime.code, 2021, parks[0].code, "五星", "也许", doc]]
    with pytest.raises(ImportRejected) as exc:
        importers.import_stars(
            xlsx("evaluation-stars", bad), filename="s.xlsx", actor=sup, dry_run=False
        )
    assert [str(e) for e in exc.value.errors] == [
        "第2行「星级」列：应为数字，实为「五星」。",
        "第2行「首次晋级」列：应填“是”或“否”，实为「也许」。",
    ]
    unknown = [[regime.code, 2021, parks[0].code, "十佳", ""]]
    with pytest.raises(ImportRejected, match="称号应为十强、十快、十先进、优秀之一"):
        importers.import_titles(
            xlsx("evaluation-titles", unknown), filename="t.xlsx", actor=sup, dry_run=False
        )


def test_the_command_line_runs_the_same_importer(world: World, tmp_path: Path, capsys: Any) -> None:
    regime = make_regime(world.city_supervisor)
    (a,) = make_parks(1)
    path = tmp_path / "stars.xlsx"
    path.write_bytes(xlsx("evaluation-stars", [[regime.code, 2021, a.code, 2, "", ""]]))
    call_command(
        "import", "evaluation-stars", str(path), "--as", "supervisor", "--dry-run", "--json"
    )
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True
    assert out["created"] == 1
    assert not StarAward.objects.exists()
    path.write_bytes(xlsx("evaluation-stars", [[regime.code, 2021, "NOPE", 2, "", ""]]))
    with pytest.raises(CommandError, match="发现 1 处错误，未写入任何数据"):
        call_command("import", "evaluation-stars", str(path), "--as", "supervisor")
    with pytest.raises(CommandError):
        call_command("import", "evaluation-stars", str(path), "--as", "leader")


def test_only_the_supervisor_imports(world: World) -> None:
    regime = make_regime(world.city_supervisor)
    (a,) = make_parks(1)
    data = xlsx("evaluation-stars", [[regime.code, 2021, a.code, 2, "", ""]])
    with pytest.raises(ImportRejected, match="只有督查员可以执行此操作"):
        importers.import_stars(data, filename="s.xlsx", actor=world.city_leader, dry_run=False)
