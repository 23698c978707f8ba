"""`dudao import indicator_catalogue FILE` and the page 指标目录 → 导入指标目录: a city adds its
own indicators (or changes their rules) as data (督查员).

CSV (UTF-8 or GBK) or .xlsx; the header row is in Chinese — each column's name is the
indicator field's own name in the model (指标代码, 指标名称, 计量单位 …, see CATALOGUE_LABELS);
the English field names of the first version are still accepted as headers, so older files
import unchanged. Formula indicators name their 分子指标/分母指标 by code, also of rows in the
same file. All rows are checked first; nothing is written unless every row is right.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from dudao.core.exceptions import DomainError, NotAllowed
from dudao.core.importflow import header_template
from dudao.core.imports import ImportRejected, ImportReport, RowError, importer
from dudao.core.policies import require_role
from dudao.core.roles import Role
from dudao.core.tabular import labelled_errors, read_labelled
from dudao.core.xlsx import Row, cell_decimal, cell_int, cell_text
from dudao.stats.models import Indicator
from dudao.stats.services import INDICATOR_FIELDS, _save_indicator

if TYPE_CHECKING:
    from dudao.accounts.models import User


CATALOGUE_HEADERS = ("code", "name", "unit")
PLAUSIBLE_FIELDS = tuple(
    f"plausible_{end}_{level}" for level in ("park", "county", "city") for end in ("min", "max")
)
CATALOGUE_OPTIONAL = tuple(f for f in INDICATOR_FIELDS if f not in CATALOGUE_HEADERS)
# field → its Chinese column header: the model's own field name, so page, admin and file agree
CATALOGUE_LABELS = {
    f: str(getattr(Indicator._meta.get_field(f), "verbose_name", f))
    for f in (*CATALOGUE_HEADERS, *CATALOGUE_OPTIONAL)
}
_YES = {"1", "是", "true", "yes", "y"}
_NO = {"0", "否", "false", "no", "n", ""}


def _given(row: Row, header: str) -> bool:
    """Whether the row sets this column: an empty cell (or a missing column) leaves the
    indicator's value as it is, so the full template can be filled for a few columns only."""
    value = row.values.get(header)
    return value is not None and str(value).strip() != ""


def _flag(row: Row, header: str, errors: list[RowError]) -> bool | None:
    text = cell_text(row, header, errors).lower()
    if not _given(row, header):
        return None
    if text in _YES:
        return True
    if text not in _NO:
        errors.append(RowError(row.number, header, "应为“是”或“否”（1/0）。"))
    return False


def _catalogue_choice(row: Row, header: str, choices: Any, errors: list[RowError]) -> Any:
    text = cell_text(row, header, errors)
    if not text:
        return None
    lookup = {str(c.value): c.value for c in choices} | {c.label: c.value for c in choices}
    if text not in lookup:
        errors.append(
            RowError(
                row.number, header, f"“{text}”应为 {'、'.join(c.label for c in choices)} 之一。"
            )
        )
    return lookup.get(text)


def _catalogue_template(_user: Any) -> bytes:
    return header_template(
        "指标目录",
        [CATALOGUE_LABELS[f] for f in CATALOGUE_HEADERS],
        [CATALOGUE_LABELS[f] for f in CATALOGUE_OPTIONAL],
        [
            "指标代码已存在的行会修改该指标，只改填写了的单元格；留空的单元格保持原值。",
            "类型、价格口径、方向可填代码或中文名称；是否类的列填“是”或“否”。",
            "公式指标须同时填写分子指标和分母指标（填指标代码，可引用同一文件中的指标）。",
        ],
    )


@importer(
    "indicator_catalogue",
    "指标目录（指标代码、名称、计量单位、类型、小数位数 …）",
    title="指标目录",
    help="一次新增或修改指标目录：每行一个指标，按指标代码识别，已有的指标只修改文件中填写的列。"
    "整个文件检查无误才写入。",
    template=_catalogue_template,
    back="stats:settings",
    csv=True,
)
def import_indicator_catalogue(  # noqa: PLR0912, PLR0915 - one pass over the optional columns
    data: bytes, *, filename: str, actor: User, dry_run: bool
) -> ImportReport:
    """Add or change catalogue entries (督查员): a city adds its own indicators as data."""
    try:
        require_role(actor, Role.SUPERVISOR)
    except NotAllowed as exc:
        raise ImportRejected.whole_file(exc.message) from None
    table = read_labelled(
        data,
        filename=filename,
        labels=CATALOGUE_LABELS,
        required=CATALOGUE_HEADERS,
        optional=CATALOGUE_OPTIONAL,
    )
    known = {i.code: i for i in Indicator.objects.all()}
    in_file = {str(r.get("code") or "").strip() for r in table.rows}
    errors: list[RowError] = []
    planned: list[tuple[Row, str, dict[str, Any], str, str]] = []
    for row in table.rows:
        before = len(errors)
        code = cell_text(row, "code", errors, required=True, max_length=40)
        fields: dict[str, Any] = {
            "name": cell_text(row, "name", errors, required=True, max_length=60),
            "unit": cell_text(row, "unit", errors, required=True, max_length=20),
        }
        for header, choices in (
            ("kind", Indicator.Kind),
            ("frequency", Indicator.Frequency),
            ("price_basis", Indicator.PriceBasis),
            ("direction", Indicator.Direction),
        ):
            value = _catalogue_choice(row, header, choices, errors)
            if value is not None:
                fields[header] = value
        for header in ("change_prefix", "change_words"):
            text = cell_text(row, header, errors)
            if _given(row, header):
                fields[header] = text
        for header in ("scope", "verb", "reference_label", "description", "aliases"):
            if _given(row, header):
                fields[header] = cell_text(row, header, errors, max_length=200)
        for header in ("decimals", "sort_order"):
            number = cell_int(row, header, errors, minimum=0)
            if number is not None:
                fields[header] = number
        for header in ("factor", "divisor", *PLAUSIBLE_FIELDS):
            amount = cell_decimal(row, header, errors, places=6)
            if amount is not None:
                fields[header] = amount
        for header in ("january_published", "in_summary", "is_active", "parts_within_whole"):
            flag = _flag(row, header, errors)
            if flag is not None:
                fields[header] = flag
        refs = (cell_text(row, "numerator", errors), cell_text(row, "denominator", errors))
        for header, ref in zip(("numerator", "denominator"), refs, strict=True):
            if ref and ref not in known and ref not in in_file:
                errors.append(RowError(row.number, header, f"指标代码“{ref}”不存在。"))
        if bool(refs[0]) != bool(refs[1]):
            errors.append(RowError(row.number, "numerator", "公式指标须同时填写分子和分母。"))
        whole_ref = cell_text(row, "part_of", errors)
        if whole_ref and whole_ref not in known:
            errors.append(
                RowError(row.number, "part_of", f"指标代码“{whole_ref}”不存在（须为已有指标）。")
            )
        elif whole_ref:
            fields["part_of"] = known[whole_ref]
        if len(errors) == before:
            planned.append((row, code, fields, refs[0], refs[1]))
    if errors:
        raise ImportRejected(labelled_errors(errors, CATALOGUE_LABELS))
    report = ImportReport(kind="indicator_catalogue", rows=len(planned), dry_run=dry_run)
    with transaction.atomic():
        # Plain entries first, so that formulas can name indicators of the same file.
        for row, code, fields, num, den in sorted(planned, key=lambda p: bool(p[3])):
            if num:
                fields["numerator"] = Indicator.objects.get(code=num)
                fields["denominator"] = Indicator.objects.get(code=den)
            try:
                _, outcome = _save_indicator(actor=actor, code=code, **fields)
            except DomainError as exc:
                error = RowError(row.number, exc.field or "", exc.message)
                raise ImportRejected(labelled_errors([error], CATALOGUE_LABELS)) from None
            setattr(report, outcome, getattr(report, outcome) + 1)
        if dry_run:
            transaction.set_rollback(True)
    return report
