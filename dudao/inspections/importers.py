"""Import of provincial tour results (全省观摩结果): our representative's rank per year.

    dudao import inspections.provincial 全省观摩结果.xlsx --as USERNAME [--dry-run] [--json]

Columns (first sheet, header on row 1): 年度, 观摩活动, 代表单位, 名次 (required);
参评单位数, 得分, 备注 (optional). A row is identified by (年度, 观摩活动, 代表单位): importing
the same file again changes nothing; a changed rank or score updates the row. Only 督查员 may
import. The whole file is checked first; nothing is written when any row is wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.importflow import header_template
from dudao.core.imports import ImportRejected, ImportReport, RowError, importer
from dudao.core.policies import require_role
from dudao.core.xlsx import cell_decimal, cell_int, cell_text, read_table
from dudao.inspections.models import ProvincialResult

if TYPE_CHECKING:
    from dudao.accounts.models import User

KIND = "inspections.provincial"
HEADERS = ("年度", "观摩活动", "代表单位", "名次")
OPTIONAL = ("参评单位数", "得分", "备注")
FIELDS = ("rank", "participants", "score", "note")
MIN_YEAR = 2000


def _parse(data: bytes) -> list[tuple[tuple[int, str, str], dict[str, Any], int]]:
    table = read_table(data, headers=HEADERS, optional_headers=OPTIONAL)
    errors: list[RowError] = []
    parsed = []
    seen: dict[tuple[int, str, str], int] = {}
    for row in table.rows:
        before = len(errors)
        year = cell_int(row, "年度", errors, required=True, minimum=MIN_YEAR)
        tour = cell_text(row, "观摩活动", errors, required=True, max_length=80)
        who = cell_text(row, "代表单位", errors, required=True, max_length=60)
        rank = cell_int(row, "名次", errors, required=True, minimum=1)
        participants = cell_int(row, "参评单位数", errors, minimum=1)
        score = cell_decimal(row, "得分", errors, minimum=None, places=2)
        note = cell_text(row, "备注", errors, max_length=200)
        if len(errors) > before or year is None or rank is None:
            continue
        if participants is not None and rank > participants:
            errors.append(
                RowError(row.number, "名次", f"名次 {rank} 大于参评单位数 {participants}。")
            )
            continue
        key = (year, tour, who)
        if key in seen:
            errors.append(RowError(row.number, "代表单位", f"与第{seen[key]}行重复。"))
            continue
        seen[key] = row.number
        values = {"rank": rank, "participants": participants, "score": score, "note": note}
        parsed.append((key, values, row.number))
    if errors:
        raise ImportRejected(errors)
    if not parsed:
        raise ImportRejected.whole_file("文件中没有数据行。")
    return parsed


@importer(
    KIND,
    "全省观摩结果",
    help="省里公布的全省观摩结果：每行一个代表单位在一次观摩活动中的名次。同一年度、观摩活动和"
    "代表单位再次导入时更新名次和得分，不会重复。",
    template=lambda _user: header_template("全省观摩结果", HEADERS, OPTIONAL),
    back="inspections:provincial",
)
def import_provincial(data: bytes, *, filename: str, actor: User, dry_run: bool) -> ImportReport:
    require_role(actor, Role.SUPERVISOR)
    rows = _parse(data)
    report = ImportReport(kind=KIND, rows=len(rows), dry_run=dry_run)
    with transaction.atomic():
        existing = {
            (r.year, r.tour_name, r.representative): r
            for r in ProvincialResult.objects.select_for_update().filter(
                year__in={k[0] for k, _, _ in rows}
            )
        }
        created, updated, changes = [], [], []
        for key, values, _number in rows:
            current = existing.get(key)
            if current is None:
                created.append(
                    ProvincialResult(year=key[0], tour_name=key[1], representative=key[2], **values)
                )
                changes.append(
                    {"key": list(map(str, key)), "after": {k: str(v) for k, v in values.items()}}
                )
            elif any(getattr(current, f) != values[f] for f in FIELDS):
                before = {f: str(getattr(current, f)) for f in FIELDS}
                for f in FIELDS:
                    setattr(current, f, values[f])
                updated.append(current)
                changes.append({"key": list(map(str, key)), "before": before,
                                "after": {k: str(v) for k, v in values.items()}})  # fmt: skip
            else:
                report.unchanged += 1
        report.created, report.updated = len(created), len(updated)
        if dry_run or not changes:
            transaction.set_rollback(True)
            return report
        ProvincialResult.objects.bulk_create(created)
        ProvincialResult.objects.bulk_update(updated, list(FIELDS))
        record_event(
            actor=actor,
            action="inspections.provincial.import",
            object_repr=filename[:200],
            after={
                "file": filename,
                "created": len(created),
                "updated": len(updated),
                "rows": changes,
            },
        )
    return report


# The tour plan import registers itself (`dudao import inspections.plan FILE --tour ID`).
from dudao.inspections.planimport import import_tour_plan  # noqa: E402, F401
