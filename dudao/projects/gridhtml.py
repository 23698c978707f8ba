"""The HTML of the reporter's monthly grid rows, built in Python.

A county's grid has ~200 rows of ~15 inputs each; rendering them through a per-row template
include with tags and filters cost ~2 ms a row. Here every displayed value is formatted once
and each row is one f-string of escaped values (`html.escape`, what autoescape does); the
URLs are reversed and the node options built once per page. The markup is exactly the former
`_grid_row.html` partial: the full page and the HTMX row swap (`grid_row`) use this function.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.urls import reverse
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


def _e(value: object) -> str:
    """HTML-escaped text, exactly as the template engine's autoescape (`html.escape`)."""
    return html.escape(str(value))


def node_options(choices: Iterable[tuple[int, str]], chosen: int | None) -> str:
    """The node `<option>`s (names escaped), the chosen one selected."""
    return '<option value="">—</option>' + "".join(
        f'<option value="{pk}"{" selected" if pk == chosen else ""}>{_e(name)}</option>'
        for pk, name in choices
    )


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
    """One `<tr>` of the grid (with the trailing newline of the former partial). Every
    interpolated value is escaped here or is a fixed string, a number or a URL from reverse."""
    p, r = row.project, row.report
    pk = p.pk
    form = f"f{pk}"
    dis = row.disabled
    name = _e(p.name)

    def typed(key: str, stored: str) -> str:
        return _e(posted.get(key, "")) if posted else _e(stored)

    last = _num(row.last.invest_ytd) if row.last and row.last.year == year else "—"
    plan_amount = row.plan.planned_investment if row.plan else None
    plan = _num(plan_amount) if plan_amount else "—"
    css = "row-error" if error else ("row-saved" if saved else "")
    version = _e(r.version or "") if r else ""
    invest = typed("invest_month", _num(r.invest_month) if r else "")
    funds = typed("funds_month", _num(r.funds_month) if r else "")
    ytd = f'<br><small class="muted">年内累计 {_num(r.invest_ytd)}</small>' if r else ""
    if r:
        status = f'<a href="{urls.report(r.pk)}">{_e(r.get_status_display())}</a>'
        if r.is_late:
            status += ' <span class="tag tag-yellow">逾期</span>'
        if r.status == S.RETURNED:
            status += f'<br><small class="neg">退回：{_e(r.return_reason)}</small>'
    else:
        status = '<span class="muted">未填</span>'
    if error:
        msg = f'<div class="row-msg error" role="alert">{_e(error)}</div>'
    elif saved:
        msg = '<div class="row-msg pos">已保存</div>'
    else:
        msg = ""
    buttons = (
        f'<button form="{form}" type="submit" name="action" value="save">保存</button> '
        f'<button form="{form}" type="submit" name="action" value="submit" class="primary">'
        "报送</button>"
        if row.editable
        else ""
    )
    chosen = r.node_id if r else None
    options = (
        row.options_html
        if chosen is None and row.options_html is not None
        else node_options(row.node_choices, chosen)
    )
    return mark_safe(  # every value escaped above
        f'<tr id="row-{pk}" class="{css}">\n'
        f'<td class="grid-name"><a href="{urls.detail(pk)}" title="{name}">{name}</a>'
        f'<small class="muted">{_e(p.category.name)}</small>\n'
        f'<form id="{form}" hx-post="{urls.row(pk)}" hx-target="#row-{pk}" hx-swap="outerHTML">\n'
        f'<input type="hidden" name="period" value="{_e(period)}"><input type="hidden" '
        f'name="version" value="{version}"><input type="hidden" name="request_id" '
        f'value="{_e(request_id)}"></form></td>\n'
        f'<td class="num">{last}</td>\n<td class="num">{plan}</td>\n'
        f'\n<td><input form="{form}" type="number" step="0.01" min="0" name="invest_month" '
        f'aria-label="{name} 本月完成投资" value="{invest}"{dis} required>\n'
        f"{ytd}</td>\n"
        f'<td><input form="{form}" type="number" step="0.01" min="0" name="funds_month" '
        f'aria-label="{name} 本月资金到位" value="{funds}"{dis}></td>\n'
        f'<td><select form="{form}" name="node" aria-label="{name} 达到节点"{dis}>'
        f"{options}</select>\n"
        f'<input form="{form}" type="date" name="node_date" aria-label="{name} 节点日期" '
        f'value="{_day(r.node_date) if r else ""}"{dis}></td>\n'
        f'<td><input form="{form}" type="text" name="progress_text" maxlength="300" '
        f'aria-label="{name} 形象进度" '
        f'value="{typed("progress_text", r.progress_text if r else "")}"{dis}></td>\n'
        f'<td><label><input form="{form}" type="checkbox" name="has_problem" value="on"'
        f"{' checked' if r and r.has_problem else ''}{dis}>有</label>\n"
        f'<input form="{form}" type="text" name="problem_text" maxlength="500" '
        f'aria-label="{name} 问题描述" value="{_e(r.problem_text if r else "")}"{dis}>'
        "</td>\n"
        f'<td><input form="{form}" type="text" name="next_steps" maxlength="300" '
        f'aria-label="{name} 下步计划" placeholder="下步计划" '
        f'value="{_e(r.next_steps if r else "")}"{dis}>\n'
        f'<input form="{form}" type="text" name="note" maxlength="300" '
        f'aria-label="{name} 说明" placeholder="说明（投资突增时必填）" '
        f'value="{typed("note", r.note if r else "")}"{dis}></td>\n'
        f'<td>{status}\n{msg}</td>\n<td class="grid-actions">{buttons}</td>\n\n</tr>\n'
    )


def rows_html(
    rows: Iterable[GridRow], *, year: int, period: str, request_id: Callable[[], str]
) -> list[SafeString]:
    """The grid's rows, each with a fresh request id (a repeated save writes nothing twice)."""
    urls = GridUrls()
    rows = list(rows)
    blank = node_options(rows[0].node_choices, None) if rows else ""
    for row in rows:
        row.options_html = blank  # the options without a selection, built once per page
    return [
        row_html(row, year=year, period=period, request_id=request_id(), urls=urls) for row in rows
    ]
