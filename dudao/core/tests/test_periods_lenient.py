"""Months as statisticians type them and as Excel stores them: one lenient, exact parser."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dudao.core.exceptions import DomainError
from dudao.core.periods import Period, parse_month_lenient
from dudao.core.xlsx import read_csv

JUNE = Period.month(2026, 6)


@pytest.mark.parametrize(
    "text",
    [
        "2026-06",
        "2026-6",
        "2026/6",
        "2026/06",
        "2026年6月",
        "2026年06月",
        "202606",
        "Jun-26",
        "Jun-2026",
        "June-26",
        "2026-06-01",
        "2026/6/1",
        " 2026-06 ",
    ],
)
def test_every_accepted_spelling_is_june_2026(text: str) -> None:
    assert parse_month_lenient(text) == JUNE


@pytest.mark.parametrize(
    "cell",
    [
        dt.date(2026, 6, 1),
        dt.date(2026, 6, 17),
        dt.datetime(2026, 6, 1, 0, 0, tzinfo=dt.UTC),
        202606,
        202606.0,
        Decimal("202606"),
    ],
)
def test_an_excel_cell_is_the_month_it_falls_in(cell: object) -> None:
    assert parse_month_lenient(cell) == JUNE


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13", "月份应为 1–12"),
        ("2026-00", "月份应为 1–12"),
        ("202613", "月份应为 1–12"),
        ("2026-06-15", "是一个日期而不是月份"),
        ("6/2026", "无法识别"),
        ("Foo-26", "无法识别"),
        ("二〇二六年六月", "无法识别"),
        ("", "无法识别"),
        ("1800-06", "年份应在"),
        ("20266", "无法识别"),
    ],
)
def test_anything_else_is_refused_naming_the_value_as_typed(text: str, message: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_month_lenient(text)
    assert message in info.value.message
    assert f"“{text}”" in info.value.message


def test_a_refusal_lists_the_accepted_spellings() -> None:
    with pytest.raises(DomainError) as info:
        parse_month_lenient("六月")
    assert "2026年6月" in info.value.message
    assert "Jun-26" in info.value.message


def test_utf16_tab_separated_text_is_read() -> None:
    text = "org_code\tperiod\tvalue\r\nSFS\t2026/6\t1924.7\r\n"
    for data in (text.encode("utf-16"), b"\xfe\xff" + text.encode("utf-16-be")):
        table = read_csv(data, headers=("org_code", "period", "value"))
        assert [r.values for r in table.rows] == [
            {"org_code": "SFS", "period": "2026/6", "value": "1924.7"}
        ]


def test_semicolon_csv_is_read_and_commas_inside_values_survive() -> None:
    data = 'org_code;period;note\nSFS;2026-06;"修订,见说明"\n'.encode()
    table = read_csv(data, headers=("org_code", "period", "note"))
    assert table.rows[0].values == {"org_code": "SFS", "period": "2026-06", "note": "修订,见说明"}


def test_a_comma_csv_with_a_semicolon_in_a_value_stays_a_comma_csv() -> None:
    data = "org_code,period,note\nSFS,2026-06,甲;乙\n".encode()
    table = read_csv(data, headers=("org_code", "period", "note"))
    assert table.rows[0].values["note"] == "甲;乙"


def test_nul_bytes_without_a_utf16_mark_are_still_binary() -> None:
    from dudao.core.imports import ImportRejected

    with pytest.raises(ImportRejected, match="二进制"):
        read_csv(b"org_code\x00,period\n", headers=("org_code",))
    with pytest.raises(ImportRejected, match="二进制"):
        read_csv("a\n\x00\n".encode("utf-16"), headers=("a",))


def test_header_aliases_map_chinese_headers() -> None:
    data = "单位编码,统计期\nSFS,2026-06\n".encode("gb18030")
    table = read_csv(
        data, headers=("org_code", "period"), aliases={"单位编码": "org_code", "统计期": "period"}
    )
    assert table.rows[0].values == {"org_code": "SFS", "period": "2026-06"}
