"""Indicator imports: the long CSV, the Excel grid round trip, and bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dudao.audit.models import AuditEvent
from dudao.core.imports import ImportRejected, ImportReport
from dudao.core.xlsx import read_table
from dudao.stats.importers import (
    GRID_SHEET,
    grid_workbook,
    import_indicator_grid,
    import_indicators,
)
from dudao.stats.models import Indicator, IndicatorValue
from dudao.testing import ActorName, World

pytestmark = pytest.mark.django_db
D = Decimal
HEADER = "org_code,period,indicator,value,yoy,base\n"


@pytest.fixture(autouse=True)
def _no_magnitude_ranges() -> None:
    """These tests are about the import mechanics and use small round values; the magnitude
    checks (plausible ranges, 疑似以亿元填报) have their own tests in test_statistician_inputs."""
    Indicator.objects.update(
        plausible_min_park=None,
        plausible_min_county=None,
        plausible_min_city=None,
        parts_within_whole=False,
    )


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(lines) + "\n").encode()


def run(
    world: World, data: bytes, actor: ActorName = "city_supervisor", dry_run: bool = False
) -> ImportReport:
    return import_indicators(data, filename="values.csv", actor=world.actor(actor), dry_run=dry_run)


def test_the_long_csv_imports_values_approved_for_a_supervisor(world: World) -> None:
    data = csv_bytes(
        "SFS-A-P1,2025-03,fai,125000.5,12.3,",
        "SFS-A-P1,2025-04,fai,160000,,140000",
        "SFS,2025-03,fai,900000,8.1,",
    )
    report = run(world, data)
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    row = IndicatorValue.objects.get(organisation=world.park_a, period=dt.date(2025, 3, 1))
    assert row.value == D("125000.5")
    assert row.yoy_percent == D("12.3")
    assert row.status == IndicatorValue.Status.APPROVED
    assert IndicatorValue.objects.get(period=dt.date(2025, 4, 1)).base == D("140000")


def test_the_same_file_twice_changes_nothing_and_says_so(world: World) -> None:
    data = csv_bytes("SFS-A-P1,2025-03,fai,1,,")
    run(world, data)
    events = AuditEvent.objects.count()
    report = run(world, data)
    assert report.changed == 0
    assert report.unchanged == 1
    assert "未做任何修改" in report.summary()
    assert AuditEvent.objects.count() == events


def test_a_reporters_import_is_submitted_for_review(world: World) -> None:
    run(world, csv_bytes("SFS-A-P1,2025-03,fai,1,,"), actor="park_reporter")
    assert IndicatorValue.objects.get().status == IndicatorValue.Status.SUBMITTED


def test_a_dry_run_writes_nothing(world: World) -> None:
    report = run(world, csv_bytes("SFS-A-P1,2025-03,fai,1,,"), dry_run=True)
    assert report.created == 1
    assert report.dry_run
    assert not IndicatorValue.objects.exists()


def test_bad_rows_are_all_reported_and_nothing_is_half_imported(world: World) -> None:
    future = (timezone.localdate().replace(day=1) + dt.timedelta(days=40)).strftime("%Y-%m")
    data = csv_bytes(
        "SFS-A-P1,2025-03,fai,100,,",  # fine on its own
        "NOPE,2025-03,fai,1,,",
        "SFS-A-P1,2025-03,nope,1,,",
        f"SFS-A-P1,{future},fai,1,,",
        "SFS-A-P1,2025-04,fai,约100,,",
        "SFS-A-P1,2025-05,fai,90,,",  # below April? April is invalid; below March's 100
        "SFS-B-P1,2025-03,fai,1,,",
        "SFS-A-P1,2025-03,fai,100,,",
    )
    with pytest.raises(ImportRejected) as info:
        run(world, data, actor="park_reporter")
    text = "\n".join(str(e) for e in info.value.errors)
    assert "第3行「org_code」列：填报单位“NOPE”不存在" in text
    assert "第4行「indicator」列：指标“nope”不存在" in text
    assert "是未来月份" in text
    assert "第6行「value」列：应为数字，实为「约100」" in text
    assert "第8行「org_code」列" in text  # county B's park is outside the park reporter's scope
    assert "第9行：与第2行重复" in text
    assert not IndicatorValue.objects.exists()


def test_a_cumulative_drop_needs_a_note_column(world: World) -> None:
    header = "org_code,period,indicator,value,yoy,base,note\n"
    with pytest.raises(ImportRejected, match="小于上月累计数"):
        run(
            world,
            csv_bytes("SFS-A-P1,2025-03,fai,100,,,", "SFS-A-P1,2025-04,fai,90,,,", header=header),
        )
    report = run(
        world,
        csv_bytes(
            "SFS-A-P1,2025-03,fai,100,,,", "SFS-A-P1,2025-04,fai,90,,,3月数据修订", header=header
        ),
    )
    assert report.created == 2


def test_a_wrong_header_or_empty_file_is_refused(world: World) -> None:
    with pytest.raises(ImportRejected, match="缺少列：base"):
        run(world, b"org_code,period,indicator,value,yoy\nSFS,2025-03,fai,1,\n")
    with pytest.raises(ImportRejected, match="文件为空"):
        run(world, b"")


def test_a_reporter_cannot_overwrite_an_approved_value(world: World) -> None:
    run(world, csv_bytes("SFS-A-P1,2025-03,fai,1,,"))
    with pytest.raises(ImportRejected, match="填报员不能覆盖"):
        run(world, csv_bytes("SFS-A-P1,2025-03,fai,2,,"), actor="park_reporter")


def test_a_leader_cannot_import(world: World) -> None:
    with pytest.raises(ImportRejected, match="只有"):
        run(world, csv_bytes("SFS-A-P1,2025-03,fai,1,,"), actor="city_leader")


def test_the_cli_imports_the_long_csv(world: World, tmp_path: Path) -> None:
    path = tmp_path / "values.csv"
    path.write_bytes(csv_bytes("SFS-A-P1,2025-03,fai,1,,"))
    out = StringIO()
    call_command("import", "indicators", str(path), "--as", "supervisor", stdout=out)
    assert "新增 1 条" in out.getvalue()
    path.write_bytes(csv_bytes("SFS-A-P1,2025-13,fai,1,,"))
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command(
            "import",
            "indicators",
            str(path),
            "--as",
            "supervisor",
            stdout=StringIO(),
            stderr=StringIO(),
        )


def test_the_excel_grid_round_trips(world: World) -> None:
    run(world, csv_bytes("SFS-A-P1,2025-03,fai,100,5.5,90"))
    period = dt.date(2025, 3, 1)
    data = grid_workbook([world.park_a, world.park_b], period)
    table = read_table(
        data,
        sheet=GRID_SHEET,
        headers=("单位编码", "统计期", "固定资产投资（万元）"),
        allowed_other_sheets=("填报说明",),
    )
    assert [r.get("单位编码") for r in table.rows] == ["SFS-A-P1", "SFS-B-P1"]
    assert table.rows[0].get("固定资产投资（万元）") == 100
    # Uploading the untouched template changes nothing.
    report = import_indicator_grid(
        data, filename="grid.xlsx", actor=world.city_supervisor, dry_run=False
    )
    assert report.changed == 0
    assert report.unchanged == 1
    assert (report.skipped, report.skipped_rows) == (1, [3])  # 乙's row: nothing filled in
    # Fill one cell and upload: dry run first, then commit; the published rate is kept.
    from dudao.core.xlsx import Column, Sheet, workbook_bytes

    headers = ["单位编码", "单位名称", "统计期", "固定资产投资（万元）", "利润总额（万元）"]
    filled = workbook_bytes(
        [
            Sheet(
                GRID_SHEET,
                [Column(h) for h in headers],
                [
                    ["SFS-A-P1", "甲", "2025-03", D("120"), D("8")],
                    ["SFS-B-P1", "乙", "2025-03", None, None],
                ],
            )
        ]
    )
    dry = import_indicator_grid(
        filled, filename="grid.xlsx", actor=world.city_supervisor, dry_run=True
    )
    assert (dry.created, dry.updated) == (1, 1)
    assert dry.skipped == 1
    assert "1 行未填写，已跳过" in dry.summary()
    assert IndicatorValue.objects.count() == 1
    import_indicator_grid(filled, filename="grid.xlsx", actor=world.city_supervisor, dry_run=False)
    fai_row = IndicatorValue.objects.get(organisation=world.park_a, indicator__code="fai")
    assert fai_row.value == D("120")
    assert fai_row.yoy_percent == D("5.5")
    assert fai_row.base == D("90")
    assert IndicatorValue.objects.count() == 2


def test_a_grid_with_nothing_filled_in_says_so(world: World) -> None:
    data = grid_workbook([world.park_a, world.park_b], dt.date(2025, 3, 1))
    with pytest.raises(ImportRejected, match="2 行都没有填写任何指标数值"):
        import_indicator_grid(data, filename="grid.xlsx", actor=world.city_supervisor, dry_run=True)


def test_text_in_a_grid_cell_is_refused_with_its_cell(world: World) -> None:
    from dudao.core.xlsx import Column, Sheet, workbook_bytes

    headers = ["单位编码", "单位名称", "统计期", "固定资产投资（万元）"]
    bad = workbook_bytes(
        [Sheet(GRID_SHEET, [Column(h) for h in headers], [["SFS-A-P1", "甲", "2025-03", "一百"]])]
    )
    with pytest.raises(ImportRejected, match="「固定资产投资（万元）」列：应为数字"):
        import_indicator_grid(bad, filename="grid.xlsx", actor=world.city_supervisor, dry_run=False)


CATALOGUE = (
    "code,name,unit,kind,decimals,direction,price_basis,scope,numerator,denominator,divisor,"
    "in_summary\n"
)


def test_a_supervisor_adds_indicators_and_a_formula_as_data(world: World) -> None:
    from dudao.stats.importers import import_indicator_catalogue
    from dudao.stats.models import Indicator

    data = (
        CATALOGUE
        + "land_area,工业用地面积,亩,stock,0,1,current,工业用地,,,,否\n"
        + "tax_per_land_mu,工业用地亩均税收,万元/亩,rate,2,1,current,工业用地,"
        + "tax_revenue,land_area,,否\n"
    ).encode()
    report = import_indicator_catalogue(
        data, filename="c.csv", actor=world.city_supervisor, dry_run=False
    )
    assert report.created == 2
    formula = Indicator.objects.get(code="tax_per_land_mu")
    assert formula.is_formula
    assert formula.denominator is not None
    assert formula.denominator.code == "land_area"
    again = import_indicator_catalogue(
        data, filename="c.csv", actor=world.city_supervisor, dry_run=False
    )
    assert again.changed == 0
    assert again.unchanged == 2


def test_the_catalogue_import_refuses_bad_rows_and_non_supervisors(world: World) -> None:
    from dudao.stats.importers import import_indicator_catalogue
    from dudao.stats.models import Indicator

    bad = (CATALOGUE + "Bad Code,名称,个,flowish,x,1,current,,nope,,,也许\n").encode()
    with pytest.raises(ImportRejected) as info:
        import_indicator_catalogue(
            bad, filename="c.csv", actor=world.city_supervisor, dry_run=False
        )
    text = "\n".join(str(e) for e in info.value.errors)
    # the file has the old English headers; the errors name the Chinese columns
    for column in ("「类型」列", "「显示小数位」列", "「分子指标」列", "「列入集聚区综述」列"):
        assert column in text, column
    with pytest.raises(ImportRejected, match="只有督查员"):
        import_indicator_catalogue(
            bad, filename="c.csv", actor=world.county_a_reviewer, dry_run=False
        )
    # An indicator that has values keeps its unit.
    run(world, csv_bytes("SFS-A-P1,2025-03,fai,1,,"))
    change = (CATALOGUE + "fai,固定资产投资,亿元,flow,1,1,current,,,,,是\n").encode()
    with pytest.raises(ImportRejected, match="不能修改计量单位"):
        import_indicator_catalogue(
            change, filename="c.csv", actor=world.city_supervisor, dry_run=False
        )
    assert Indicator.objects.get(code="fai").unit == "万元"
