"""The one sort-and-page helper of every list page (server-side, everything kept in the URL).

A view declares the columns a reader may sort by — ``{"name": ("name",), "county":
("county__sort_order", "county__path")}`` for a queryset, or ``{"rate": lambda row: row.rate}``
for rows computed in Python — and calls `listing(request, rows, sorts, default="name")`:

* ``?sort=name`` sorts ascending, ``?sort=-name`` descending; an unknown key is ignored (the
  default order applies), never an error. Ties always break by ``pk`` ascending (a grouped
  ``values()`` query lists its group fields instead), so a page never shows a row twice or
  skips one.
* ``?page=N`` picks the page (a bad or out-of-range number gives the nearest page);
  ``?per_page=`` is one of `PAGE_SIZES` (or the view's own default), anything else is ignored.
* Empty values (None, "") sort last in both directions, on SQLite and PostgreSQL alike.

`sort_rows` applies the very same order without paging — the Excel export of a list calls it
with the list's ``request`` so the file holds exactly what the screen shows, in the same order.
The template side is ``{% load listing %}``: ``{% sort_th list "name" "项目名称" %}`` for a
header and ``includes/pagination.html`` for the pager.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cmp_to_key
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, QueryDict

PAGE_SIZES: tuple[int, ...] = (20, 50, 100)

# A sort column: the ORM fields (ascending; "-field" for a column whose natural order is
# descending) for a queryset, or a key function for a list of rows.
SortSpec = Sequence[str] | Callable[[Any], Any]
Sorts = Mapping[str, SortSpec]


@dataclass(frozen=True)
class SortState:
    """The sort the reader asked for, after the whitelist: ``key`` is always a declared key."""

    key: str
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key


@dataclass(frozen=True)
class Listing:
    """One page of a list with the state its headers and pager render from."""

    page: Page[Any]
    sort: SortState
    sortable: frozenset[str]
    per_page: int
    page_sizes: tuple[int, ...]
    params: QueryDict

    @property
    def rows(self) -> list[Any]:
        return list(self.page.object_list)

    def query(self, **changes: str | int | None) -> str:
        """The current query string with ``changes`` applied (None removes a key)."""
        params = self.params.copy()
        for name, value in changes.items():
            params.pop(name, None)
            if value is not None:
                params[name] = str(value)
        return params.urlencode()

    def sort_link(self, key: str) -> str:
        """The link of a header: ascending first, the reverse when it is the current sort."""
        descending = self.sort.key == key and not self.sort.descending
        return self.query(sort=f"-{key}" if descending else key, page=None)


def choice_rank(field: str, values: Sequence[str]) -> Case:
    """An ORM expression ranking a choice field by its meaning, not its code: ``values`` in
    ascending order (e.g. severity 一般, 较重, 严重); an unlisted value ranks first."""
    return Case(
        *(When(**{field: v}, then=Value(i)) for i, v in enumerate(values)),
        default=Value(-1),
        output_field=IntegerField(),
    )


def sort_state(request: HttpRequest, sorts: Sorts, default: str) -> SortState:
    """The whitelisted sort of ``?sort=``: an unknown or empty key gives ``default``."""
    if default.lstrip("-") not in sorts:
        raise ValueError(f"default sort {default!r} is not one of the declared columns")
    raw = (request.GET.get("sort") or "").strip()
    key = raw.lstrip("-")
    if key in sorts and raw.count("-") <= 1:
        return SortState(key, raw.startswith("-"))
    return SortState(default.lstrip("-"), default.startswith("-"))


def _may_be_null(model: Any, name: str) -> bool:
    """Whether the column a sort field names can hold NULL (True when it cannot be told, e.g. an
    annotation). A NOT NULL column is ordered without NULLS LAST: the same order, and the
    database can then read it from an index instead of sorting every row."""
    meta = model._meta
    parts = name.split("__")
    for n, part in enumerate(parts):
        if part == "pk":
            return False
        try:
            field = meta.get_field(part)
        except Exception:
            return True
        if getattr(field, "null", True):
            return True
        if n < len(parts) - 1:
            if field.related_model is None:
                return True
            meta = field.related_model._meta
    return False


def _order_queryset(qs: QuerySet[Any], fields: Sequence[str], descending: bool) -> QuerySet[Any]:
    order: list[Any] = []
    for field in fields:
        desc = field.startswith("-") != descending
        name = field.lstrip("-")
        if name not in qs.query.annotations and not _may_be_null(qs.model, name):
            order.append(F(name).desc() if desc else F(name).asc())
            continue
        order.append(F(name).desc(nulls_last=True) if desc else F(name).asc(nulls_last=True))
    grouped = qs.query.group_by is not None  # one row per group: its fields are the tiebreak
    if not grouped and (not fields or fields[-1].lstrip("-") not in ("pk", "id")):
        order.append(F("pk").asc())  # a column may end in its own id order ("-pk")
    return qs.order_by(*order)


def _row_pk(row: Any) -> Any:
    if isinstance(row, Mapping):
        return row.get("pk", row.get("id", 0))
    return getattr(row, "pk", getattr(row, "id", 0))


def _order_rows(rows: Iterable[Any], key: Callable[[Any], Any], descending: bool) -> list[Any]:
    def compare(a: Any, b: Any) -> int:
        ka, kb = key(a), key(b)
        empty_a, empty_b = ka is None or ka == "", kb is None or kb == ""
        if empty_a != empty_b:
            return 1 if empty_a else -1  # empty last, both directions
        if not empty_a and ka != kb:
            result = -1 if ka < kb else 1
            return -result if descending else result
        pa, pb = _row_pk(a), _row_pk(b)
        return int(pa > pb) - int(pa < pb)

    return sorted(rows, key=cmp_to_key(compare))


def sort_rows(request: HttpRequest, rows: Any, sorts: Sorts, default: str) -> Any:
    """``rows`` (a queryset or a list) in the order ``?sort=`` asks for, all of them."""
    state = sort_state(request, sorts, default)
    spec = sorts[state.key]
    if isinstance(rows, QuerySet):
        if callable(spec):
            raise TypeError(f"sort {state.key!r}: a queryset needs ORM fields, not a function")
        return _order_queryset(rows, spec, state.descending)
    if not callable(spec):
        fields = list(spec)

        def spec_key(row: Any) -> Any:
            value = row
            for part in fields[0].lstrip("-").split("__"):
                value = value.get(part) if isinstance(value, Mapping) else getattr(value, part)
            return value

        return _order_rows(rows, spec_key, state.descending != fields[0].startswith("-"))
    return _order_rows(rows, spec, state.descending)


def page_size(request: HttpRequest, default: int) -> tuple[int, tuple[int, ...]]:
    """``?per_page=`` when it is one of the offered sizes, else the view's default."""
    sizes = tuple(sorted({*PAGE_SIZES, default}))
    raw = request.GET.get("per_page") or ""
    if raw.isdigit() and int(raw) in sizes:
        return int(raw), sizes
    return default, sizes


def listing(
    request: HttpRequest, rows: Any, sorts: Sorts, *, default: str, per_page: int = 50
) -> Listing:
    """Sort ``rows`` as the URL asks (whitelisted), then give the page the URL asks for."""
    state = sort_state(request, sorts, default)
    ordered = sort_rows(request, rows, sorts, default)
    size, sizes = page_size(request, per_page)
    raw_page = (request.GET.get("page") or "").strip()
    paginator = Paginator(ordered, size)
    number = 1
    if raw_page.lstrip("-").isdigit():  # a huge number is the last page, without int() of it
        number = int(raw_page) if len(raw_page) < 12 else (1 if raw_page[0] == "-" else 10**11)
    page = paginator.get_page(max(1, min(number, paginator.num_pages)))
    params = request.GET.copy()
    params.pop("page", None)
    return Listing(
        page=page,
        sort=state,
        sortable=frozenset(sorts),
        per_page=size,
        page_sizes=sizes,
        params=params,
    )


def page_numbers(page: Page[Any], around: int = 2) -> list[int | None]:
    """The numbers a pager shows: first, last and ``around`` either side of the current page;
    None marks a gap ("…")."""
    last = page.paginator.num_pages
    wanted = {1, last, *range(page.number - around, page.number + around + 1)}
    shown = sorted(n for n in wanted if 1 <= n <= last)
    out: list[int | None] = []
    previous = 0
    for n in shown:
        if previous and n - previous > 1:
            out.append(None)
        out.append(n)
        previous = n
    return out
