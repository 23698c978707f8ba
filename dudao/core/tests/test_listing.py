"""The one sort-and-page helper of the list pages (dudao/core/listing.py) and its tags."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.test import RequestFactory

from dudao.core.listing import Sorts, listing, page_numbers, sort_rows, sort_state
from dudao.core.numbers import FigureError, format_amount

rf = RequestFactory()


def rows(n: int) -> list[SimpleNamespace]:
    # name repeats so the id tiebreak shows; "score" is empty on every third row
    return [
        SimpleNamespace(pk=i, name=f"项目{i % 3}", score=None if i % 3 == 0 else i)
        for i in range(1, n + 1)
    ]


SORTS: Sorts = {"name": ("name",), "score": lambda r: r.score, "newest": ("-pk",)}


def test_unknown_or_hostile_sort_keys_fall_back_to_the_default() -> None:
    for raw in ("password", "--name", "name;drop", "", "-", "__class__", "名称" * 500):
        state = sort_state(rf.get("/", {"sort": raw}), SORTS, "name")
        assert (state.key, state.descending) == ("name", False), raw


def test_a_default_that_is_not_declared_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="not one of the declared columns"):
        sort_state(rf.get("/"), SORTS, "nope")


def test_ties_break_by_id_and_empty_values_go_last_both_ways() -> None:
    data = rows(9)
    up = sort_rows(rf.get("/", {"sort": "name"}), data, SORTS, "name")
    assert [r.pk for r in up] == [3, 6, 9, 1, 4, 7, 2, 5, 8]
    down = sort_rows(rf.get("/", {"sort": "-name"}), data, SORTS, "name")
    assert [r.pk for r in down] == [2, 5, 8, 1, 4, 7, 3, 6, 9]
    by_score = sort_rows(rf.get("/", {"sort": "-score"}), data, SORTS, "name")
    assert [r.score for r in by_score][-3:] == [None, None, None]
    assert [r.score for r in by_score][:2] == [8, 7]
    newest = sort_rows(rf.get("/", {"sort": "newest"}), data, SORTS, "name")
    assert [r.pk for r in newest][:2] == [9, 8]


def test_page_beyond_the_end_and_garbage_pages_give_the_nearest_page() -> None:
    data = rows(45)
    for raw, number in (("99", 3), ("x", 1), ("-5", 1), ("0", 1), ("2", 2), ("9" * 40, 3)):
        lst = listing(rf.get("/", {"page": raw}), data, SORTS, default="name", per_page=20)
        assert lst.page.number == number, raw


def test_page_size_is_one_of_the_offered_sizes_or_the_default() -> None:
    data = rows(250)
    for raw, size in (("100", 100), ("20", 20), ("100000", 30), ("0", 30), ("abc", 30), ("", 30)):
        got = listing(rf.get("/", {"per_page": raw}), data, SORTS, default="name", per_page=30)
        assert got.per_page == size, raw
        assert len(got.rows) == size
    assert listing(rf.get("/"), data, SORTS, default="name", per_page=30).page_sizes == (
        20,
        30,
        50,
        100,
    )


@pytest.mark.django_db
def test_a_queryset_sorts_in_the_database_with_the_id_tiebreak(world: object) -> None:
    qs = get_user_model().objects.all()
    assert qs.count() > 3
    sorts = {"active": ("is_active",), "name": ("username",)}
    tied = list(sort_rows(rf.get("/", {"sort": "-active"}), qs, sorts, "name"))
    assert [u.pk for u in tied] == sorted(u.pk for u in tied)  # all equal: by id
    down = [u.username for u in sort_rows(rf.get("/", {"sort": "-name"}), qs, sorts, "name")]
    assert down == sorted(down, reverse=True)


def test_links_keep_filters_and_drop_the_page() -> None:
    req = rf.get("/", {"q": "厂房", "county": "3", "page": "2", "sort": "name"})
    lst = listing(req, rows(5), SORTS, default="name")
    link = lst.sort_link("name")
    assert "sort=-name" in link
    assert "county=3" in link
    assert "page=" not in link
    assert "sort=score" in lst.sort_link("score")


def test_page_numbers_show_first_last_and_neighbours() -> None:
    data = rows(500)
    page = listing(rf.get("/", {"page": "12", "per_page": "20"}), data, SORTS, default="name").page
    assert page_numbers(page) == [1, None, 10, 11, 12, 13, 14, None, 25]


def test_header_and_pager_render_with_state() -> None:
    req = rf.get("/", {"sort": "-score", "q": "x", "page": "2", "per_page": "20"})
    lst = listing(req, rows(100), SORTS, default="name")
    html = Template(
        '{% load listing %}{% sort_th list "score" "得分" "num" %}{% sort_th list "x" "其他" %}'
        '{% include "includes/pagination.html" %}'
    ).render(Context({"list": lst, "page": lst.page, "request": req}))
    assert 'aria-sort="descending"' in html
    assert "sort=score" in html
    assert "<th>其他</th>" in html
    assert 'aria-current="page">2<' in html
    assert "per_page=50" in html
    assert "q=x" in html
    assert "共 100 条" in html


def test_amounts_have_thousands_separators_in_the_chosen_unit() -> None:
    assert format_amount(Decimal("29973207.14")) == "29,973,207.1"
    assert format_amount(Decimal("29973207.14"), "亿元") == "2,997.3"
    assert format_amount(Decimal("-1234.55"), "万元", 1) == "-1,234.6"
    assert format_amount(Decimal("0.04"), "万元", 1) == "0.0"
    with pytest.raises(FigureError):
        format_amount(Decimal(1), "元")
    html = Template("{% load listing %}{{ a|wan }} {{ a|yi:2 }} {{ n|wan }} {{ s|wan }}").render(
        Context({"a": Decimal("12345678.9"), "n": None, "s": "abc"})
    )
    assert html == "12,345,678.9 1,234.57 — abc"
