"""`dudao import targets FILE`: every error with its row and column, nothing written; the same
file twice changes nothing; a sheet already 下达 is not changed by a file."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dudao.core.imports import ImportRejected, discover
from dudao.targets.models import TargetRow, TargetSet, UnitClass
from dudao.targets.services import approve_set
from dudao.testing import World

pytestmark = pytest.mark.django_db
HEAD = "年度,下达单位,文号,责任单位,指标,目标类型,目标值,权重,分类,月度序时\n"


def sheet(world: World, *lines: str) -> bytes:
    return (HEAD + "".join(f"{line}\n" for line in lines)).encode()


def good(world: World) -> bytes:
    city, a, b = world.city.name, world.county_a.name, world.county_b.name
    curve = "5、10、18、26、35、45、54、63、72、81、90、100"
    return sheet(
        world,
        f"2026,{city},示政〔2026〕5号,{a},fai,绝对量,120.5,3,一类,",
        f"2026,{city},示政〔2026〕5号,{a},规上工业利润总额,增速,8,1,一类,",
        f'2026,{city},示政〔2026〕5号,{b},fai,绝对量,80,3,二类,"{curve}"',
        f"2026,{city},示政〔2026〕5号,{b},project_starts,个数,6,1,二类,",
    )


def run(world: World, data: bytes, *, dry_run: bool = False):  # type: ignore[no-untyped-def]
    importer = discover()["targets"].func
    return importer(data, filename="目标.csv", actor=world.city_supervisor, dry_run=dry_run)


def test_a_sheet_imports_once_and_twice_changes_nothing(world: World) -> None:
    dry = run(world, good(world), dry_run=True)
    assert (dry.created, TargetRow.objects.count()) == (4, 0)
    report = run(world, good(world))
    assert report.created == 4
    ts = TargetSet.objects.get()
    assert (ts.document, ts.level, ts.status) == ("示政〔2026〕5号", "city_county", "draft")
    fai_a = TargetRow.objects.get(unit=world.county_a, indicator__code="fai")
    assert fai_a.target_value == Decimal(1205000)  # 120.5亿元 in 万元
    assert TargetRow.objects.get(unit=world.county_b, indicator__code="fai").curve[5] == "45"
    assert set(UnitClass.objects.values_list("name", flat=True)) == {"一类", "二类"}
    again = run(world, good(world))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert "未做任何修改" in again.summary()


def test_every_error_has_its_row_and_column(world: World) -> None:
    city, a = world.city.name, world.county_a.name
    data = sheet(
        world,
        f"2026,{city},,{a},fai,绝对量,约100,1,,",
        f"2026,{city},,不存在县,fai,绝对量,100,1,,",
        f"2026,{city},,{a},没有的指标,绝对量,100,1,,",
        f"2026,{city},,{a},profit,百分比,8,1,,",
        f"2026,{city},,{a},project_starts,增速,8,1,,",
        f"2026,{city},,{a},industrial_revenue,绝对量,100,1,,1、2、3",
    )
    with pytest.raises(ImportRejected) as caught:
        run(world, data)
    found = {(e.row, e.column) for e in caught.value.errors}
    assert {
        (2, "目标值"),
        (3, "责任单位"),
        (4, "指标"),
        (5, "目标类型"),
        (6, "目标类型"),
        (7, "月度序时"),
    } <= found
    assert "第2行「目标值」列：应为数字，实为「约100」。" in [str(e) for e in caught.value.errors]
    assert TargetRow.objects.count() == 0


def test_an_approved_sheet_is_not_changed_by_a_file(world: World) -> None:
    run(world, good(world))
    approve_set(actor=world.city_supervisor, target_set=TargetSet.objects.get())
    changed = good(world).replace(b"120.5", b"130")
    with pytest.raises(ImportRejected) as caught:
        run(world, changed)
    assert "已下达" in str(caught.value.errors[0])
    assert run(world, good(world)).unchanged == 4


def test_province_ranks_are_imported_not_computed(world: World) -> None:
    from dudao.targets.models import ProvinceRank

    importer = discover()["target_ranks"].func
    data = (
        "年度,月份,单位,指标,全省位次,参评单位数\n"
        f"2026,6,{world.county_a.name},fai,3,18\n"
        f"2026,6,{world.county_b.name},fai,19,18\n"
    ).encode()
    with pytest.raises(ImportRejected) as caught:
        importer(data, filename="位次.csv", actor=world.city_supervisor, dry_run=False)
    assert [(e.row, e.column) for e in caught.value.errors] == [(3, "全省位次")]
    good_data = data.replace(b",19,18", b",7,18")
    first = importer(good_data, filename="位次.csv", actor=world.city_supervisor, dry_run=False)
    assert first.created == 2
    assert ProvinceRank.objects.get(unit=world.county_b).rank == 7
    again = importer(good_data, filename="位次.csv", actor=world.city_supervisor, dry_run=False)
    assert again.unchanged == 2


def test_the_upload_page_dry_runs_then_confirms_without_a_second_pick(
    world: World, client: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(world.city_supervisor)
    upload = SimpleUploadedFile("目标.csv", good(world), content_type="text/csv")
    dry = client.post(reverse("targets:import"), {"kind": "targets", "file": upload})
    assert "将新增 4 条" in dry.content.decode()
    assert not TargetRow.objects.exists()
    token = dry.context["flow"].token
    done = client.post(reverse("targets:import"), {"kind": "targets", "token": token})
    assert "已新增 4 条" in done.content.decode()
    assert TargetRow.objects.count() == 4
    # the token belongs to this kind: posted as the ranks import it is not found
    wrong = client.post(reverse("targets:import"), {"kind": "target_ranks", "token": token})
    assert wrong.status_code == 404
    bad = SimpleUploadedFile("目标.csv", sheet(world, "2026,,,,fai,绝对量,约100,1,,"))
    page = client.post(reverse("targets:import"), {"kind": "targets", "file": bad})
    assert "未写入任何数据" in page.content.decode()
    assert page.context["flow"].token == ""
