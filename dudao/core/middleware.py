"""Request id, security headers and log correlation."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from dudao.core import requestmeta

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (a sane X-Request-ID from the proxy, or a new one)."""

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
        try:
            response = self.get_response(request)
        finally:
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
