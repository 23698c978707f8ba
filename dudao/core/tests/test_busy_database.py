"""A transaction the database refused for now (lock wait, deadlock) answers 503 in Chinese with
Retry-After and says nothing was saved; other database errors still take the 500 path."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory

from dudao.core.middleware import BusyDatabaseMiddleware, is_busy_database


class _Deadlock(Exception):
    sqlstate = "40P01"


def _wrapped(message: str, cause: BaseException | None = None) -> OperationalError:
    exc = OperationalError(message)
    exc.__cause__ = cause
    return exc


@pytest.mark.parametrize(
    ("exc", "busy"),
    [
        (_wrapped("database is locked"), True),
        (_wrapped("database table is locked: projects_monthlyreport"), True),
        (_wrapped("deadlock detected", _Deadlock()), True),
        (_wrapped("disk I/O error"), False),
        (_wrapped("no such table: x"), False),
        (ValueError("database is locked"), False),
    ],
)
def test_which_errors_mean_busy(exc: BaseException, busy: bool) -> None:
    assert is_busy_database(exc) is busy


def _middleware() -> BusyDatabaseMiddleware:
    return BusyDatabaseMiddleware(lambda request: HttpResponse())


def test_a_page_gets_a_chinese_503_saying_nothing_was_saved() -> None:
    request = RequestFactory().post("/projects/reports/grid/")
    response = _middleware().process_exception(request, _wrapped("database is locked"))
    assert response is not None
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    text = response.content.decode()
    assert "系统繁忙" in text
    assert "没有保存" in text


def test_the_api_gets_json() -> None:
    request = RequestFactory().post("/api/v1/projects")
    exc = _wrapped("deadlock detected", _Deadlock())
    response = _middleware().process_exception(request, exc)
    assert response is not None
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert "没有保存" in response.content.decode()


def test_other_errors_are_left_to_the_500_path() -> None:
    request = RequestFactory().get("/")
    assert _middleware().process_exception(request, _wrapped("disk I/O error")) is None
    assert _middleware().process_exception(request, KeyError("x")) is None
