"""The indicator long table's column-wise fast path (issue 18 item 3) gives exactly what the
cell readers give row by row: the same values, errors (row, column, message) and notes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from dudao.core.imports import RowError
from dudao.core.tabular import read_rows
from dudao.stats import importers
from dudao.stats.checks import IndicatorNames, UnitNames
from dudao.testing import World

pytestmark = pytest.mark.django_db
HEADER = "org_code,period,indicator,value,yoy,base,note,source\n"


def _table(lines: list[str]) -> Any:
    data = (HEADER + "\n".join(lines) + "\n").encode()
    return read_rows(
        data,
        filename="v.csv",
        headers=importers.LONG_HEADERS,
        optional=importers.LONG_OPTIONAL,
        aliases=importers.LONG_ALIASES,
    )


def _reference(table: Any, actor: Any) -> tuple[list[Any], list[RowError], list[RowError]]:
    units = UnitNames(actor, (str(r.get("org_code") or "").strip() for r in table.rows))
    indicators = IndicatorNames()
    parsed: list[Any] = []
    errors: list[RowError] = []
    notes: list[RowError] = []
    periods: dict[Any, Any] = {}
    for r in table.rows:
        importers._long_row(
            r,
            units=units,
            indicators=indicators,
            periods=periods,
            parsed=parsed,
            errors=errors,
            found=notes,
        )
    return parsed, errors, notes


def test_every_row_reads_as_the_cell_readers_read_it(world: World) -> None:
    future = (timezone.localdate().replace(day=1) + dt.timedelta(days=40)).strftime("%Y-%m")
    good = "SFS-A-P1,2025-03,fai,125000.5,12.3,,,"
    lines = [
        good,
        "NOPE,2025-03,fai,1,,,,",
        ",2025-03,fai,1,,,,",
        "SFS-A-P1,2025-03,nope,1,,,,",
        "SFS-A-P1,,fai,1,,,,",
        "SFS-A-P1,2025-13,fai,1,,,,",
        "SFS-A-P1,2025-06-15,fai,1,,,,",
        f"SFS-A-P1,{future},fai,1,,,,",
        "SFS-A-P1,2025年4月,fai,1,,,,",
        "SFS-A-P1,202504,fai,1,,,,",
        "SFS-A-P1,2025-03,fai,约100,,,,",
        "SFS-A-P1,2025-03,fai,,,,,",
        "SFS-A-P1,2025-03,fai,1.23456,,,,",
        "SFS-A-P1,2025-03,fai,1,abc,,,",
        "SFS-A-P1,2025-03,fai,1,,1e20,,",
        "SFS-A-P1,2025-03,fai,-3,,,,",
        'SFS-A-P1,2025-03,fai,"1,234.5",,,,',
        "SFS-A-P1,2025-03,fai,1,,," + "说" * 201 + ",",
        "SFS-A-P1,2025-03,fai,1,,,修订,统计局",
        "SFS-A-P1,2025-03,fai,1,,,,drc",
        "SFS-A-P1,2025-03,fai,1,,,,别处",
        "SFS-B-P1,2025-03,fai,1,,,,",
        "SFS,2025-03,fai,900000,8.1,,,",
        " SFS ,2025-03, fai ,900000, 8.1 ,,,",
        good,
    ]
    table = _table([*lines, *reversed(lines)])
    actor = world.actor("city_supervisor")
    notes: list[RowError] = []
    parsed, errors = importers.parse_long(table, actor, notes)
    assert (parsed, errors, notes) == _reference(_table([*lines, *reversed(lines)]), actor)
    assert errors
    assert len(parsed) > 4
