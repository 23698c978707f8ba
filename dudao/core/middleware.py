"""Request id, security headers, log correlation and the answer to a busy database."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from dudao.core import requestmemo, requestmeta

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (a sane X-Request-ID from the proxy, or a new one), and a
    reading request its memo of values read once (`dudao.core.requestmemo`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        ip = request.META.get("REMOTE_ADDR")
        if settings.SECURE_PROXY_SSL_HEADER:
            forwarded = request.headers.get("X-Forwarded-For", "")
            if forwarded:
                ip = forwarded.split(",")[-1].strip() or ip
        token = requestmeta.bind(requestmeta.RequestMeta(request_id=request_id, ip=ip))
        memo = requestmemo.open_memo(request.method)
        try:
            response = self.get_response(request)
        finally:
            requestmemo.close(memo)
            requestmeta.unbind(token)
        response["X-Request-ID"] = request_id
        return response


class SecurityHeadersMiddleware:
    """Add the CSP and related headers that Django 5.2 does not set by itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.DUDAO_CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Pages behind login hold government data: never keep them in shared caches.
            response.setdefault("Cache-Control", "no-store")
        return response


class RequestIdLogFilter(logging.Filter):
    """Put the current request id on every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        meta = requestmeta._current.get()
        record.request_id = meta.request_id if meta else "-"
        return True


logger = logging.getLogger("dudao.busy")

# SQLite: a writer waited past the busy timeout. PostgreSQL: deadlock_detected,
# serialization_failure, lock_not_available. Each rolled the whole transaction back.
_BUSY_SQLITE = ("database is locked", "database table is locked")
_BUSY_SQLSTATES = frozenset({"40P01", "40001", "55P03"})
BUSY_RETRY_SECONDS = 5
BUSY_MESSAGE = "系统繁忙，本次操作没有保存。请几秒后重试。"


def is_busy_database(exc: BaseException) -> bool:
    """Whether `exc` is the database refusing for now (lock wait, deadlock), not a fault."""
    if not isinstance(exc, OperationalError):
        return False
    if getattr(exc.__cause__, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    text = str(exc).lower()
    return any(marker in text for marker in _BUSY_SQLITE)


class BusyDatabaseMiddleware:
    """A view whose transaction the database refused for now (SQLite lock wait past the busy
    timeout, PostgreSQL deadlock or serialization failure) was rolled back whole: answer 503 in
    Chinese with Retry-After, saying nothing was saved, instead of the 500 page. Any other
    error still takes the 500 path."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_busy_database(exception):
            return None
        logger.warning("busy database on %s %s: %s", request.method, request.path, exception)
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"detail": BUSY_MESSAGE}, status=503, json_dumps_params={"ensure_ascii": False}
            )
        else:
            body = render_to_string("503.html", {"message": BUSY_MESSAGE})
            response = HttpResponse(body, status=503)
        response["Retry-After"] = str(BUSY_RETRY_SECONDS)
        return response
