"""The HTML of the registry list's rows (and of a project's monthly history), built in Python.

A 50-row page spent about half its time in the template engine resolving a dozen variables a
row. As for the grid (`gridhtml`), every displayed value is worked out once by the selector
(`selectors.list_rows`, `selectors.history_rows`: URLs reversed once per page, amounts through
the one formatter) and each row here is one f-string of escaped values (`html.escape`, what
autoescape does). The markup is exactly what the former template loops gave (tests compare).
"""

from __future__ import annotations

import html
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from dudao.projects.figures import ProjectLight


def _num(value: Decimal | int | None) -> str:
    """A figure as the template engine shows it (no grouping, '.' separator)."""
    if value is None:
        return "None"
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _e(value: Any) -> str:
    return html.escape(str(value))


def list_rows_html(rows: list[tuple[dict[str, Any], ProjectLight]]) -> SafeString:
    """The list table's body rows (`selectors.list_rows` output)."""
    parts = []
    for p, pl in rows:
        prog = pl.progress
        park = f'<br><small class="muted">{_e(p["park"])}</small>' if p["park"] else ""
        rate = f"{_num(prog.rate_pct)}%" if prog.rate_pct is not None else "—"
        if prog.lag is None:
            lag = "—"
        elif prog.lag > 0:
            lag = f'<span class="neg">低 {_num(prog.lag)}</span>'
        else:
            lag = f'<span class="pos">超 {_num(prog.ahead)}</span>'
        late = f' <small class="neg">开工延迟{pl.start_late}个月</small>' if pl.start_late else ""
        parts.append(
            f'\n<tr><td><a href="{_e(p["url"])}">{_e(p["name"])}</a>{park}</td>\n'
            f"<td>{_e(p['county'])}</td><td>{_e(p['category__name'])}</td>"
            f"<td>{_e(p['stage_label'])}</td><td>{_e(p['level_label'])}</td>\n"
            f'<td class="num">{_e(p["total"])}</td><td class="num">{_e(p["plan"])}</td>\n'
            f'<td class="num">{_e(p["done"])}</td>\n'
            f'<td class="num">{rate}</td>\n'
            f'<td class="num">{lag}</td>\n'
            f'<td><span class="light light-{_e(pl.light.value)}" title="{_e(prog.reached)}">'
            f"{_e(pl.light.label)}</span>\n{late}</td></tr>\n"
        )
    return mark_safe("".join(parts))


def history_rows_html(rows: list[dict[str, Any]]) -> SafeString:
    """The detail page's monthly report rows (`selectors.history_rows` output)."""
    parts = []
    for r in rows:
        text = _e(r["progress_text"]) if r["progress_text"] else "—"
        problem = ' <span class="tag tag-red">有问题</span>' if r["has_problem"] else ""
        late = ' <span class="tag tag-yellow">逾期</span>' if r["is_late"] else ""
        parts.append(
            f'<tr><td><a href="{_e(r["url"])}">{r["year"]}年{r["month"]}月</a></td>'
            f'<td class="num">{_num(r["invest_month"])}</td>'
            f'<td class="num">{_num(r["invest_ytd"])}</td>'
            f'<td class="num">{_num(r["invest_total"])}</td>'
            f"<td>{text}{problem}</td><td>{_e(r['status_label'])}{late}</td></tr>"
        )
    return mark_safe("".join(parts))


def options_html(choices: list[tuple[int, str]], selected: int | None) -> SafeString:
    """A filter's <option>s from (id, label) pairs (`selectors.filter_options`), the chosen
    one marked — what the former template loop printed."""
    return mark_safe(
        "".join(
            f'<option value="{pk}"{" selected" if pk == selected else ""}>{_e(label)}</option>'
            for pk, label in choices
        )
    )
