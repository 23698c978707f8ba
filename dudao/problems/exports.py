"""The ledger's Excel export: the rows and columns of the ledger page, for its filters."""

from __future__ import annotations

from collections.abc import Iterable

from dudao.core.xlsx import Column, Sheet
from dudao.orgs.rules import display_name
from dudao.problems.selectors import LedgerRow

# The ledger table's columns, in the page's order (the template shows the same headers).
LEDGER_COLUMNS = [
    Column("问题编号", 14),
    Column("问题", 36),
    Column("问题来源", 10),
    Column("问题类别", 10),
    Column("严重程度", 9),
    Column("责任单位", 26),
    Column("所在县（市、区）", 14),
    Column("关联项目/园区", 30),
    Column("整改时限", 16, "date"),
    Column("状态", 10),
    Column("灯色", 8),
    Column("逾期情况", 16),
]


def linked_label(row: LedgerRow) -> str:
    p = row.problem
    parts = [x.name for x in (p.project, p.park) if x is not None]
    return " / ".join(parts)


def ledger_values(row: LedgerRow) -> list[object]:
    p = row.problem
    return [
        p.code,
        p.title,
        p.get_source_display(),
        p.category.name,
        p.get_severity_display(),
        display_name(p.responsible_org),
        display_name(p.county),
        linked_label(row),
        # A provisional time limit reads as on the page: "2027-01-06（暂定）" (text, not a date).
        f"{p.deadline:%Y-%m-%d}（暂定）" if p.deadline_is_provisional else p.deadline,
        p.get_status_display(),
        p.light_label,
        row.late_text,
    ]


def ledger_sheet(rows: Iterable[LedgerRow]) -> Sheet:
    return Sheet(
        name="问题台账",
        columns=LEDGER_COLUMNS,
        rows=(ledger_values(r) for r in rows),
    )
