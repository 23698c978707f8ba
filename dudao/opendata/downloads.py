"""The public data as a table: one row per published project (its current release), the same
columns in the CSV (UTF-8 with BOM, so Excel opens it) and the XLSX download."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dudao.core.xlsx import Column, Sheet, workbook_bytes
from dudao.opendata.fields import CATALOGUE
from dudao.opendata.oc4ids import SHANGHAI, project_id

if TYPE_CHECKING:
    from dudao.opendata.models import Release

# Flat fields only (milestones and the investment series are in the project page and OC4IDS);
# personal fields are not even a column.
TABLE_FIELDS = tuple(
    spec
    for spec in CATALOGUE
    if not spec.locked_internal and spec.key not in {"milestones", "investment", "completion"}
)
HEADERS = (
    "OC4IDS 项目标识",
    *(spec.label for spec in TABLE_FIELDS),
    "开工年份",
    "竣工（投产）日期",
    "版本号",
    "发布时间",
)


def row(release: Release) -> list[Any]:
    payload = release.payload
    fields = payload["fields"]
    values: list[Any] = [project_id(payload)]
    for spec in TABLE_FIELDS:
        value = fields.get(spec.key, "")
        values.append(Decimal(value) if spec.key == "total_investment" and value else value)
    values += [
        payload["facts"].get("start_year") or "",
        (payload.get("completion") or {}).get("date") or "",
        release.seq,
        release.released_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
    ]
    return values


def _safe(value: Any) -> str:
    """A cell as text; a leading = + - @ is quoted so a spreadsheet never runs it."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@"} else text


def csv_chunks(releases: Iterable[Release]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(HEADERS)
    for n, release in enumerate(releases, start=1):
        writer.writerow([_safe(v) for v in row(release)])
        if n % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(releases: Iterable[Release]) -> bytes:
    widths = {"项目名称": 36, "建设内容及规模": 40, "建设单位": 28, "OC4IDS 项目标识": 36}
    kinds = {"总投资（万元）": "decimal2"}
    columns = [Column(h, widths.get(h, 14), kinds.get(h, "text")) for h in HEADERS]
    return workbook_bytes(
        [Sheet("重大建设项目", columns, (row(r) for r in releases), title="重大建设项目公开信息")]
    )
