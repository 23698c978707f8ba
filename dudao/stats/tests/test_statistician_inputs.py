"""Issue 15: imports accept what Excel saves and what statisticians type, a 亿元 column is
stopped, and the summary's sentences never contradict themselves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError
from dudao.core.imports import ImportRejected, ImportReport
from dudao.core.periods import Period
from dudao.core.xlsx import Column, Sheet, workbook_bytes
from dudao.stats import selectors, services
from dudao.stats.engine import (
    Figure,
    StatsError,
    change_phrase,
    gap_phrase,
    growth_phrase,
    share,
    summary_line,
    yoy,
)
from dudao.stats.engine.summary import SummaryOptions
from dudao.stats.importers import import_indicator_grid, import_indicators
from dudao.stats.models import Indicator, IndicatorValue
from dudao.stats.tests.scenario import build_speech_city, enter, speech_parks, yi
from dudao.testing import ActorName, World

D = Decimal
HEADER = "org_code,period,indicator,value,yoy,base\n"
SPELLINGS = ["2025/6", "2025/06", "2025年6月", "202506", "Jun-25", "2025-06-01", "2025-6"]


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(lines) + "\n").encode()


def run(
    world: World,
    data: bytes,
    *,
    actor: ActorName = "city_supervisor",
    dry_run: bool = False,
    confirm_reason: str = "",
    filename: str = "values.csv",
) -> ImportReport:
    return import_indicators(
        data,
        filename=filename,
        actor=world.actor(actor),
        dry_run=dry_run,
        confirm_reason=confirm_reason,
    )


# --- Periods ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_period_spelling_imports_as_june(world: World, spelling: str) -> None:
    run(world, csv_bytes(f"SFS-A-P1,{spelling},fai,125000,,"))
    assert IndicatorValue.objects.get().period == dt.date(2025, 6, 1)


@pytest.mark.django_db
def test_an_xlsx_with_excel_date_cells_imports_the_month_they_fall_in(world: World) -> None:
    columns = [Column(h, 12) for h in ("org_code", "period", "indicator", "value", "yoy", "base")]
    rows: list[list[object]] = [
        ["SFS-A-P1", dt.date(2025, 6, 1), "fai", D("125000"), None, None],
        [
            "SFS-A-P1",
            dt.datetime.combine(dt.date(2025, 5, 1), dt.time()),
            "fai",
            D("100000"),
            None,
            None,
        ],
    ]
    data = workbook_bytes([Sheet("Sheet1", columns, rows)])
    report = run(world, data, filename="values.xlsx")
    assert report.created == 2
    assert set(IndicatorValue.objects.values_list("period", flat=True)) == {
        dt.date(2025, 6, 1),
        dt.date(2025, 5, 1),
    }


@pytest.mark.django_db
def test_an_unreadable_period_is_named_as_typed(world: World) -> None:
    with pytest.raises(ImportRejected) as info:
        run(world, csv_bytes("SFS-A-P1,6/2025,fai,125000,,"))
    assert "第2行「period」列：统计期“6/2025”无法识别" in str(info.value.errors[0])


@pytest.mark.django_db
def test_a_month_not_yet_over_and_a_future_month_are_refused(world: World) -> None:
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    next_month = (this_month + dt.timedelta(days=40)).replace(day=1)
    with pytest.raises(ImportRejected) as info:
        run(
            world,
            csv_bytes(
                f"SFS-A-P1,{this_month:%Y-%m},fai,125000,,",
                f"SFS-A-P1,{next_month:%Y-%m},fai,125000,,",
            ),
        )
    text = "\n".join(str(e) for e in info.value.errors)
    assert f"第2行「period」列：{this_month:%Y-%m} 尚未结束" in text
    assert f"目前最近可填报的月份为 {last_month:%Y-%m}" in text
    assert "第3行「period」列：" in text
    assert "是未来月份" in text
    with pytest.raises(DomainError, match="尚未结束"):
        services.save_value(
            actor=world.city_supervisor,
            organisation=world.park_a,
            indicator=Indicator.objects.get(code="fai"),
            period=this_month,
            data=services.ValueInput(value=D("125000")),
        )


# --- Text formats ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_excels_unicode_text_utf16_tab_separated_imports(world: World) -> None:
    text = "org_code\tperiod\tindicator\tvalue\tyoy\tbase\r\nSFS-A-P1\t2025/6\tfai\t125000\t\t\r\n"
    report = run(world, text.encode("utf-16"), filename="values.txt")
    assert report.created == 1


@pytest.mark.django_db
def test_a_semicolon_csv_imports(world: World) -> None:
    data = "org_code;period;indicator;value;yoy;base\nSFS-A-P1;2025-06;fai;125000;;\n".encode(
        "utf-8-sig"
    )
    assert run(world, data).created == 1


# --- Names or codes --------------------------------------------------------------------------


@pytest.mark.django_db
def test_chinese_headers_names_and_aliases_are_accepted(world: World) -> None:
    header = "单位编码,统计期,指标,数值,同比增速,上年同期数\n"
    data = csv_bytes(
        "示范市人民政府,2025年6月,固定资产投资,19247000,15.6,",
        "SFS,2025年6月,利润总额,2302000,,",
        "示范市,2025年6月,税收,900000,,",
        header=header,
    ).decode()
    report = run(world, data.encode("gb18030"))
    assert report.created == 3
    codes = set(IndicatorValue.objects.values_list("indicator__code", flat=True))
    assert codes == {"fai", "profit", "tax_revenue"}


@pytest.mark.django_db
def test_an_unknown_name_lists_the_closest_valid_ones(world: World) -> None:
    with pytest.raises(ImportRejected) as info:
        run(world, csv_bytes("SFS-A-P1,2025-06,固定资产投,125000,,"))
    text = str(info.value.errors[0])
    assert "指标“固定资产投”不存在" in text
    assert "最接近的有：" in text
    assert "固定资产投资" in text


@pytest.mark.django_db
def test_a_parks_own_code_is_taken_as_its_committee_with_a_note(world: World) -> None:
    parks = speech_parks(world)
    report = run(world, csv_bytes(f"{parks[0].code},2025-06,fai,125000,,"), dry_run=True)
    assert report.created == 1
    note = str(report.warnings[0])
    assert f"“{parks[0].code}”是园区" in note
    assert "已按“甲县产业集聚区管理委员会”（SFS-A-P1）导入" in note


# --- Magnitude checks ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_city_total_in_yi_is_flagged_at_dry_run_and_refused_at_commit(world: World) -> None:
    data = csv_bytes("SFS-A-P1,2025-06,fai,9046000,,", "SFS,2025-06,fai,1924.7,,")
    report = run(world, data, dry_run=True)
    flags = [str(w) for w in report.warnings]
    assert any(f.startswith("第3行「value」列：疑似以亿元填报") for f in flags), flags
    assert any("大于示范市人民政府" in f for f in flags)  # the park above the city
    with pytest.raises(ImportRejected) as info:
        run(world, data)
    refused = "\n".join(str(e) for e in info.value.errors)
    assert "第3行「value」列：疑似以亿元填报" in refused
    assert "确认原因" in refused
    assert not IndicatorValue.objects.exists()


@pytest.mark.django_db
def test_a_confirmed_import_is_written_and_its_reason_audited(world: World) -> None:
    data = csv_bytes("SFS-A-P1,2025-06,fai,50,,")  # a tiny new park, really 50万元
    report = run(world, data, confirm_reason="新设园区，上半年仅完成50万元，已与统计局核实")
    assert report.created == 1
    event = AuditEvent.objects.filter(action="stats.value.import").latest("pk")
    assert event.reason == "新设园区，上半年仅完成50万元，已与统计局核实"
    assert event.after is not None
    assert "疑似以亿元填报" in event.after["confirmed_checks"][0]


@pytest.mark.django_db
def test_a_value_in_yi_is_caught_against_the_units_last_figure(world: World) -> None:
    run(world, csv_bytes("SFS-A-P1,2024-06,fai,700000,,"))
    report = run(world, csv_bytes("SFS-A-P1,2025-06,fai,90.46,,"), dry_run=True)
    assert "疑似以亿元填报" in str(report.warnings[0])
    assert "约为上期数" in str(report.warnings[0])


@pytest.mark.django_db
def test_the_grid_flags_the_column_by_its_header(world: World) -> None:
    ind = Indicator.objects.get(code="fai")
    header = f"{ind.name}（{ind.unit}）"
    columns = [
        Column("单位编码", 12),
        Column("单位名称", 12),
        Column("统计期", 12),
        Column(header, 12),
    ]
    data = workbook_bytes(
        [Sheet("指标填报", columns, [["SFS", "示范市", dt.date(2025, 6, 1), D("1924.7")]])]
    )
    report = import_indicator_grid(
        data, filename="grid.xlsx", actor=world.city_supervisor, dry_run=True
    )
    assert str(report.warnings[0]).startswith(f"第2行「{header}」列：疑似以亿元填报")


@pytest.mark.django_db
def test_ranges_are_data_in_the_catalogue(world: World) -> None:
    Indicator.objects.filter(code="fai").update(plausible_min_park=D("10"))
    report = run(world, csv_bytes("SFS-A-P1,2025-06,fai,50,,"), dry_run=True)
    assert report.warnings == []


# --- Shares ----------------------------------------------------------------------------------


def money(value: str, name: str = "固定资产投资", subject: str = "", year: int = 2021) -> Figure:
    return Figure(D(value), "万元", Period(year, 1, 6), "", name, subject)


def test_a_share_above_100_percent_is_refused_where_parts_lie_inside_the_whole() -> None:
    part, whole = money("9046000", subject="18家产业集聚区"), money("1924.7", subject="示范市")
    assert share(part, whole) > 1  # the plain ratio is still available
    with pytest.raises(StatsError, match="占比超过100%"):
        share(part, whole, within_whole=True)
    line = summary_line(
        part,
        whole=whole,
        growth=None,
        reference_growth=None,
        previous_growth=None,
        reference_label="全市",
        options=SummaryOptions(parts_within_whole=True),
    )
    assert "占全市" not in line.sentence
    assert any("占比超过100%" in n for n in line.notes)


@pytest.mark.django_db
def test_the_summary_never_prints_a_share_above_100_percent(world: World) -> None:
    build_speech_city(world, codes=("fai",))
    IndicatorValue.objects.filter(
        organisation=world.city, period=dt.date(2021, 6, 1), indicator__code="fai"
    ).update(value=D("1924.7"))
    city = selectors.get_city(world.city_supervisor, "SFS")
    row = selectors.city_summary(world.city_supervisor, city, dt.date(2021, 6, 1)).rows[0]
    assert "占全市" not in row.line.sentence
    assert row.line.share is None
    assert any("占比超过100%" in n for n in row.line.notes)


# --- Phrasing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("0.132", "同比增长13.2%"),
        ("-0.124", "同比下降12.4%"),
        ("0.0004", "与上年同期持平"),
    ],
)
def test_growth_up_down_flat(rate: str, expected: str) -> None:
    assert growth_phrase(D(rate)) == expected


@pytest.mark.parametrize(
    ("points", "reference", "expected"),
    [
        ("11.4", "全市工业", "高于全市工业11.4个百分点"),
        ("-2.4", "全市固定资产投资增速", "低于全市固定资产投资增速2.4个百分点"),
        ("0.0", "全市工业", "增速与全市工业持平"),
        ("0.04", "全市固定资产投资增速", "与全市固定资产投资增速持平"),
    ],
)
def test_a_growth_gap_says_zengsu_when_level(points: str, reference: str, expected: str) -> None:
    assert gap_phrase(D(points), reference, flat_subject="增速") == expected


@pytest.mark.parametrize(
    ("points", "prefix", "words", "expected"),
    [
        ("16.2", "同比", ("提高", "下降"), "同比提高16.2个百分点"),
        ("-8.2", "较去年同期", ("提高", "下降"), "较去年同期下降8.2个百分点"),
        ("-8.2", "比上年同期", ("加快", "回落"), "比上年同期回落8.2个百分点"),
        ("0.0", "同比", ("提高", "下降"), "增速与上年同期持平"),
    ],
)
def test_a_change_of_growth(
    points: str, prefix: str, words: tuple[str, str], expected: str
) -> None:
    up, down = words
    assert change_phrase(D(points), prefix=prefix, up_word=up, down_word=down) == expected


def test_a_level_rate_never_reads_as_a_level_amount() -> None:
    part = money("110", "利润总额", "18家产业集聚区")
    line = summary_line(
        part,
        whole=money("200", "利润总额", "全市"),
        growth=yoy(part, money("100", "利润总额", year=2020)),
        reference_growth=yoy(D("110"), D("100")),
        previous_growth=yoy(D("110"), D("100")),
        reference_label="全市工业",
    )
    assert line.sentence.endswith("同比增长10.0%，增速与全市工业持平，增速与上年同期持平。")


@pytest.mark.django_db
def test_the_speechs_prefixes_are_per_indicator_defaults(world: World) -> None:
    build_speech_city(world)
    city = selectors.get_city(world.city_supervisor, "SFS")
    text = selectors.city_summary(world.city_supervisor, city, dt.date(2021, 6, 1)).sentences
    fai, _, profit = text
    assert fai.endswith("低于全市固定资产投资增速2.4个百分点，较去年同期下降8.2个百分点。")
    assert profit.endswith("高于全市工业11.4个百分点，同比提高16.2个百分点。")
    Indicator.objects.filter(code="profit").update(
        change_prefix="比上年同期", change_words="加快/回落"
    )
    text = selectors.city_summary(world.city_supervisor, city, dt.date(2021, 6, 1)).sentences
    assert text[2].endswith("比上年同期加快16.2个百分点。")


@pytest.mark.django_db
def test_an_indicator_without_reviewed_data_is_left_out_and_named_once(world: World) -> None:
    build_speech_city(world, codes=("fai",))
    Indicator.objects.filter(code__in=("tax_revenue", "profit")).update(in_summary=True)
    enter(world, world.city, "tax_revenue", dt.date(2021, 6, 1), yi("300"))
    city = selectors.get_city(world.city_supervisor, "SFS")
    result = selectors.city_summary(world.city_supervisor, city, dt.date(2021, 6, 1))
    assert len(result.sentences) == 1
    assert not any("税收收入" in s for s in result.sentences)
    named = [n for n in result.notes if "税收收入" in n]
    assert named == ["园区尚无已审核数、未写入综述的指标：利润总额、税收收入。"]
    data = result.as_dict()
    assert data["sentences"] == result.sentences
    assert (
        next(r for r in data["indicators"] if r["indicator"] == "tax_revenue")["sentence"] is None
    )


@pytest.mark.django_db
def test_the_import_command_takes_a_confirm_reason(world: World, tmp_path: object) -> None:
    from pathlib import Path

    from django.core.management import CommandError, call_command

    path = Path(str(tmp_path)) / "values.csv"
    path.write_bytes(csv_bytes("SFS-A-P1,2025-06,fai,50,,"))
    with pytest.raises(CommandError, match="导入未执行"):
        call_command("import", "indicators", str(path), "--as", "supervisor")
    call_command(
        "import", "indicators", str(path), "--as", "supervisor", "--confirm-reason", "新设园区"
    )
    assert IndicatorValue.objects.get().value == D("50")


@pytest.mark.django_db
def test_a_part_above_its_whole_is_flagged(world: World) -> None:
    assert Indicator.objects.get(code="industrial_investment").part_of == Indicator.objects.get(
        code="fai"
    )
    data = csv_bytes(
        "SFS-A-P1,2025-06,fai,125000,,",
        "SFS-A-P1,2025-06,industrial_investment,130000,,",
    )
    report = run(world, data, dry_run=True)
    assert [str(w) for w in report.warnings] == [
        "第3行「value」列：甲县产业集聚区管理委员会工业投资（130000）大于固定资产投资（125000），"
        "部分不应超过总量。"
    ]
