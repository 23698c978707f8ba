"""The shared homes of rules every module calls: periods, bounds, the stale-edit check, the
API body parser and pagination."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import RequestFactory
from ninja import Schema
from ninja.errors import ValidationError
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticError

from dudao.core import bounds
from dudao.core.apibody import parse_body
from dudao.core.exceptions import DomainError, StaleObject
from dudao.core.pagination import Pagination
from dudao.core.periods import Period, month_or_default, parse_month
from dudao.core.versions import check_version


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-07", Period(2026, 7, 7)),
        ("2026-7", Period(2026, 7, 7)),
        (" 2000-01 ", Period(2000, 1, 1)),
        ("２０２６-０７", Period(2026, 7, 7)),  # full-width digits as WPS may type them,
    ],
)
def test_parse_month_reads_a_month(text: str, expected: Period) -> None:
    assert parse_month(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "2026-13", "2026-00", "2026", "26-07", "2026/07", "3026-01", "1999-12"],
)
def test_parse_month_refuses_anything_else_in_chinese(text: str) -> None:
    with pytest.raises(DomainError) as exc:
        parse_month(text)
    assert "统计期" in exc.value.message
    assert exc.value.field == "period"


def test_a_bad_page_period_is_never_silently_another_month() -> None:
    default = Period.month(2026, 6)
    assert month_or_default("", default) == (default, "")
    assert month_or_default("2026-05", default) == (Period.month(2026, 5), "")
    shown, message = month_or_default("2026-13", default)
    assert shown == default
    assert "2026-13" in message
    assert "2026年6月" in message


def test_period_steps_across_years() -> None:
    assert Period.month(2026, 1).previous_month() == Period.month(2025, 12)
    assert Period.month(2026, 12).next_month() == Period.month(2027, 1)
    assert Period.of(dt.date(2026, 3, 31)).key == "2026-03"
    assert Period.month(2026, 3).first_day == dt.date(2026, 3, 1)


def test_dates_outside_the_window_are_refused() -> None:
    assert bounds.check_date(dt.date(2026, 12, 31)) == dt.date(2026, 12, 31)
    with pytest.raises(DomainError, match="3026-12-31"):
        bounds.check_date(dt.date(3026, 12, 31), label="整改时限", field="deadline")


@pytest.mark.parametrize("value", ["1e24", "1e300", "NaN", "Infinity", "-1e10", "abc"])
def test_amounts_outside_their_unit_bound_are_refused(value: str) -> None:
    with pytest.raises(DomainError):
        bounds.check_amount(value, unit="万元", label="本月完成投资")


def test_an_amount_inside_its_bound_is_kept_exactly() -> None:
    assert bounds.check_amount("123456.78", unit="万元") == Decimal("123456.78")


@pytest.mark.parametrize("value", [0, -1, bounds.MAX_ID + 1, 10**30])
def test_ids_outside_the_integer_range_fail_validation(value: int) -> None:
    with pytest.raises(PydanticError):
        TypeAdapter(bounds.Id).validate_python(value)


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (501, 0), (10, -1), (10, 10**12)])
def test_pages_are_bounded(limit: int, offset: int) -> None:
    with pytest.raises(PydanticError):
        Pagination.Input(limit=limit, offset=offset)


def test_a_stale_edit_has_one_body() -> None:
    obj = SimpleNamespace(version=3, _meta=SimpleNamespace(concrete_fields=[]))
    check_version(obj, 3, what="任务")
    check_version(obj, None, what="任务")
    with pytest.raises(StaleObject) as exc:
        check_version(obj, 2, what="任务")
    assert exc.value.status_code == 409
    assert exc.value.details == {"current": {}, "version": 3}
    assert "当前版本 3" in exc.value.message


class _Body(Schema):
    name: str
    count: int = 0


@pytest.mark.parametrize(
    ("raw", "loc"),
    [(b"{", ["body"]), (b"\xff\xfe", ["body"]), (b'{"count": 1}', ["body", "name"])],
)
def test_the_body_parser_answers_422_shapes(raw: bytes, loc: list[str]) -> None:
    request = RequestFactory().post("/x", data=raw, content_type="application/json")
    with pytest.raises(ValidationError) as exc:
        parse_body(request, _Body)
    assert exc.value.errors[0]["loc"] == loc


def test_the_body_parser_reads_a_valid_body() -> None:
    request = RequestFactory().post("/x", data=b'{"name": "a"}', content_type="application/json")
    assert parse_body(request, _Body) == _Body(name="a", count=0)
