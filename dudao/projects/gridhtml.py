"""The HTML of the reporter's monthly grid rows, built in Python.

A county's grid has ~200 rows of ~15 inputs each; rendering them through a per-row template
include with tags and filters cost ~2 ms a row. Here every displayed value is formatted once
and the row is assembled from escaped strings (`format_html`), the URLs are reversed once per
page. The markup is exactly the former `_grid_row.html` partial: the full page and the HTMX
row swap (`grid_row`) use the same function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from dudao.projects.models import MonthlyReport
from dudao.projects.selectors import GridRow

S = MonthlyReport.Status
_PK = 987654321  # placeholder pk: the URL patterns are reversed once, then filled per row


def _num(value: Decimal | int | None) -> str:
    """A figure as the template engine shows it (no grouping, '.' separator)."""
    if value is None:
        return ""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


class GridUrls:
    """The row URLs of the grid, reversed once and filled with each project's / report's pk."""

    def __init__(self) -> None:
        self._detail = reverse("projects:detail", args=[_PK]).split(str(_PK))
        self._row = reverse("projects:grid_row", kwargs={"pk": _PK}).split(str(_PK))
        self._report = reverse("projects:report", args=[_PK]).split(str(_PK))

    @staticmethod
    def _fill(parts: list[str], pk: int) -> str:
        return str(pk).join(parts)

    def detail(self, pk: int) -> str:
        return self._fill(self._detail, pk)

    def row(self, pk: int) -> str:
        return self._fill(self._row, pk)

    def report(self, pk: int) -> str:
        return self._fill(self._report, pk)


def row_html(
    row: GridRow,
    *,
    year: int,
    period: str,
    request_id: str,
    urls: GridUrls,
    error: str = "",
    saved: bool = False,
    posted: Mapping[str, Any] | None = None,
) -> SafeString:
    """One `<tr>` of the grid (with the trailing newline of the former partial)."""
    p, r = row.project, row.report
    pk = p.pk
    form = f"f{pk}"
    dis = row.disabled
    name = escape(p.name)

    def typed(key: str, stored: str) -> str:
        return escape(posted.get(key, "")) if posted else escape(stored)

    last = _num(row.last.invest_ytd) if row.last and row.last.year == year else "—"
    plan_amount = row.plan.planned_investment if row.plan else None
    plan = _num(plan_amount) if plan_amount else "—"
    css = "row-error" if error else ("row-saved" if saved else "")
    parts = [
        format_html(
            '<tr id="row-{}" class="{}">\n'
            '<td><a href="{}">{}</a><br><small class="muted">{}</small>\n'
            '<form id="{}" hx-post="{}" hx-target="#row-{}" hx-swap="outerHTML">\n'
            '<input type="hidden" name="period" value="{}"><input type="hidden" name="version" '
            'value="{}"><input type="hidden" name="request_id" value="{}"></form></td>\n'
            '<td class="num">{}</td>\n<td class="num">{}</td>\n',
            pk,
            css,
            urls.detail(pk),
            p.name,
            p.category.name,
            form,
            urls.row(pk),
            pk,
            period,
            (r.version or "") if r else "",
            request_id,
            last,
            plan,
        )
    ]
    invest = typed("invest_month", _num(r.invest_month) if r else "")
    funds = typed("funds_month", _num(r.funds_month) if r else "")
    ytd = f'<br><small class="muted">年内累计 {_num(r.invest_ytd)}</small>' if r else ""
    parts.append(
        mark_safe(  # every value escaped above
            f'\n<td><input form="{form}" type="number" step="0.01" min="0" name="invest_month" '
            f'aria-label="{name} 本月完成投资" value="{invest}"{dis} required>\n'
            f"{ytd}</td>\n"
            f'<td><input form="{form}" type="number" step="0.01" min="0" name="funds_month" '
            f'aria-label="{name} 本月资金到位" value="{funds}"{dis}></td>\n'
            f'<td><select form="{form}" name="node" aria-label="{name} 达到节点"{dis}>'
            f"{row.node_options}</select>\n"
            f'<input form="{form}" type="date" name="node_date" aria-label="{name} 节点日期" '
            f'value="{_day(r.node_date) if r else ""}"{dis}></td>\n'
            f'<td><input form="{form}" type="text" name="progress_text" maxlength="300" '
            f'aria-label="{name} 形象进度" '
            f'value="{typed("progress_text", r.progress_text if r else "")}"{dis}></td>\n'
            f'<td><label><input form="{form}" type="checkbox" name="has_problem" value="on"'
            f"{' checked' if r and r.has_problem else ''}{dis}>有</label>\n"
            f'<input form="{form}" type="text" name="problem_text" maxlength="500" '
            f'aria-label="{name} 问题描述" value="{escape(r.problem_text if r else "")}"{dis}>'
            "</td>\n"
            f'<td><input form="{form}" type="text" name="next_steps" maxlength="300" '
            f'aria-label="{name} 下步计划" placeholder="下步计划" '
            f'value="{escape(r.next_steps if r else "")}"{dis}>\n'
            f'<input form="{form}" type="text" name="note" maxlength="300" '
            f'aria-label="{name} 说明" placeholder="说明（投资突增时必填）" '
            f'value="{typed("note", r.note if r else "")}"{dis}></td>\n'
        )
    )
    if r:
        status = format_html('<a href="{}">{}</a>', urls.report(r.pk), r.get_status_display())
        if r.is_late:
            status += mark_safe(' <span class="tag tag-yellow">逾期</span>')
        if r.status == S.RETURNED:
            status += format_html('<br><small class="neg">退回：{}</small>', r.return_reason)
    else:
        status = mark_safe('<span class="muted">未填</span>')
    if error:
        msg = format_html('<div class="row-msg error" role="alert">{}</div>', error)
    elif saved:
        msg = mark_safe('<div class="row-msg pos">已保存</div>')
    else:
        msg = mark_safe("")
    buttons = (
        format_html(
            '<button form="{}" type="submit" name="action" value="save">保存</button> '
            '<button form="{}" type="submit" name="action" value="submit" class="primary">'
            "报送</button>",
            form,
            form,
        )
        if row.editable
        else ""
    )
    parts.append(format_html("<td>{}\n{}</td>\n<td>{}</td>\n\n</tr>\n", status, msg, buttons))
    return mark_safe("".join(parts))  # escaped parts


def rows_html(
    rows: Iterable[GridRow], *, year: int, period: str, request_id: Callable[[], str]
) -> list[SafeString]:
    """The grid's rows, each with a fresh request id (a repeated save writes nothing twice)."""
    urls = GridUrls()
    return [
        row_html(row, year=year, period=period, request_id=request_id(), urls=urls) for row in rows
    ]
