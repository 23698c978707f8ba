"""List-page tags: sortable headers, the numbered pager and the one amount formatter.

``{% sort_th list "name" "项目名称" %}`` renders a ``<th>`` whose link sorts by that column
(ascending first, the reverse on a second click) and marks the current sort with an arrow and
``aria-sort``; ``{% pager page %}`` renders page numbers and the page-size choice;
``{{ value|wan }}`` and ``{{ value|yi }}`` render an amount held in 万元 with thousands
separators (`dudao.core.numbers.format_amount`: half-up on the displayed value).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html

from dudao.core.listing import PAGE_SIZES, Listing, page_numbers
from dudao.core.numbers import FigureError, format_amount

register = template.Library()


@register.simple_tag
def sort_th(listing: Listing, key: str, label: str, css: str = "") -> str:
    """A header cell sorting by ``key``; a plain header when the list cannot sort by it."""
    cls = format_html(' class="{}"', css) if css else ""
    if key not in listing.sortable:
        return format_html("<th{}>{}</th>", cls, label)
    current = listing.sort.key == key
    if current:
        arrow, aria = ("↓", "descending") if listing.sort.descending else ("↑", "ascending")
        title = "降序，点击改为升序" if listing.sort.descending else "升序，点击改为降序"
    else:
        arrow, aria, title = "", "none", "点击按此列排序"
    return format_html(
        '<th{} aria-sort="{}"><a class="sort{}" href="?{}" title="{}">{}'
        '<span aria-hidden="true">{}</span></a></th>',
        cls,
        aria,
        " active" if current else "",
        listing.sort_link(key),
        title,
        label,
        arrow,
    )


@register.inclusion_tag("includes/pager.html", takes_context=True)
def pager(context: template.Context, page: Any) -> dict[str, Any]:
    """Page numbers, previous/next and the page-size choice, every other URL parameter kept."""
    request = context["request"]
    params = request.GET.copy()
    params.pop("page", None)
    sizes_params = params.copy()
    sizes_params.pop("per_page", None)
    current_size = page.paginator.per_page
    sizes = tuple(sorted({*PAGE_SIZES, current_size}))
    return {
        "page": page,
        "numbers": page_numbers(page) if page.paginator.num_pages > 1 else [],
        "query": params.urlencode(),
        "size_query": sizes_params.urlencode(),
        "sizes": sizes,
        "current_size": current_size,
    }


def _amount(value: Any, unit: str, decimals: int) -> str:
    if value is None or value == "":
        return "—"
    try:
        return format_amount(Decimal(str(value)), unit, decimals)
    except (FigureError, ArithmeticError, ValueError):
        return str(value)


@register.filter
def wan(value: Any, decimals: int = 1) -> str:
    """An amount held in 万元 shown in 万元: 29973207.14 → "29,973,207.1"."""
    return _amount(value, "万元", int(decimals))


@register.filter
def yi(value: Any, decimals: int = 1) -> str:
    """An amount held in 万元 shown in 亿元: 29973207.14 → "2,997.3"."""
    return _amount(value, "亿元", int(decimals))
