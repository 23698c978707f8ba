"""Load the GB/T 2260 snapshot shipped in dudao/regions/data/ into the Region table."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "gbt2260_henan.csv"
SOURCE_REVISION = "民政部《中华人民共和国县以上行政区划代码》2024年版（河南省）"
_LEVELS = {"province", "prefecture", "county"}


@dataclass(frozen=True)
class RegionRow:
    """One line of the snapshot file."""

    code: str
    name: str
    level: str
    parent_code: str | None


def read_rows(path: Path = DATA_FILE) -> list[RegionRow]:
    """Parse and check the snapshot; raise ValueError naming the line on bad data."""
    rows: list[RegionRow] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for line, raw in enumerate(reader, start=2):
            code = (raw.get("code") or "").strip()
            level = (raw.get("level") or "").strip()
            parent = (raw.get("parent_code") or "").strip() or None
            if len(code) != 6 or not code.isdigit():
                raise ValueError(f"{path.name} 第{line}行：区划代码 {code!r} 不是6位数字")
            if level not in _LEVELS:
                raise ValueError(f"{path.name} 第{line}行：级别 {level!r} 无效")
            if parent is not None and parent not in seen:
                raise ValueError(f"{path.name} 第{line}行：上级代码 {parent} 未在前面出现")
            seen.add(code)
            rows.append(RegionRow(code, (raw.get("name") or "").strip(), level, parent))
    return rows


def load_regions(region_model: Any, path: Path = DATA_FILE) -> tuple[int, int]:
    """Insert or update every row of the snapshot; return (created, updated).

    `region_model` is passed in so that the data migration can use its historical model.
    Rows in the table but not in the snapshot are marked `is_current=False`, never deleted.
    """
    rows = read_rows(path)
    existing = {r.code: r for r in region_model.objects.all()}
    created = updated = 0
    for row in rows:
        current = existing.get(row.code)
        values = {
            "name": row.name,
            "level": row.level,
            "parent_id": row.parent_code,
            "source_revision": SOURCE_REVISION,
            "is_current": True,
        }
        if current is None:
            region_model.objects.create(code=row.code, **values)
            created += 1
        elif any(getattr(current, k) != v for k, v in values.items()):
            region_model.objects.filter(code=row.code).update(**values)
            updated += 1
    in_file = {row.code for row in rows}
    retired = [code for code in existing if code not in in_file and existing[code].is_current]
    if retired:
        region_model.objects.filter(code__in=retired).update(is_current=False)
        updated += len(retired)
    return created, updated
