"""API token authentication and session idle/absolute timeouts."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from dudao.accounts.models import ApiToken, hash_token
from dudao.accounts.tokenauth import active_token
from dudao.core.roles import ADMIN_MASK

API_PREFIX = "/api/"
AUTH_AT = "_dudao_auth_at"
SEEN_AT = "_dudao_seen_at"
SEEN_WRITE_INTERVAL = 60  # seconds; saves a session write on every request


def api_error(status: int, code: str, message: str) -> JsonResponse:
    """Return the API's one JSON error shape."""
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


class ApiTokenMiddleware:
    """`Authorization: Bearer dd_…` on /api/ authenticates as the token's owner.

    A bad, revoked or expired token is refused with 401 even if a session cookie is present,
    so a machine never silently acts as whoever is logged in in the same browser.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if request.path.startswith(API_PREFIX) and header:
            scheme, _, raw = header.partition(" ")
            if scheme.lower() != "bearer" or not raw.strip():
                return api_error(
                    401, "unauthenticated", "认证头格式应为 Authorization: Bearer <令牌>。"
                )
            token = active_token(hash_token(raw.strip()))
            if token is None or not token.user.is_active:
                return api_error(401, "unauthenticated", "API 令牌无效、已过期或已被吊销。")
            if token.user.must_change_password:
                # A password someone else set is pending: the owner must replace it on the
                # web page before any token of theirs acts again.
                return api_error(
                    403,
                    "password_change_required",
                    "账户的密码已被管理员重置，请先在网页上修改密码后再使用 API 令牌。",
                )
            now = timezone.now()
            if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            request.user = token.user
            request.auth_method = "token"  # type: ignore[attr-defined]
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """End sessions idle for 30 minutes (15 for administrators) or older than 12 hours."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and getattr(request, "auth_method", "session") == "session":
            now = time.time()
            session = request.session
            auth_at = session.get(AUTH_AT, now)
            seen_at = session.get(SEEN_AT, now)
            idle = (
                settings.DUDAO_SESSION_IDLE_ADMIN
                if user.roles & ADMIN_MASK
                else settings.DUDAO_SESSION_IDLE
            )
            if (
                now - seen_at > idle.total_seconds()
                or now - auth_at > settings.DUDAO_SESSION_ABSOLUTE.total_seconds()
            ):
                from dudao.accounts.services import record_session_expired

                record_session_expired(user=user)
                logout(request)
                if request.path.startswith(API_PREFIX):
                    return api_error(401, "session_expired", "会话已超时，请重新登录。")
                messages.info(request, "会话已超时，请重新登录。")
                return redirect(f"{reverse('login')}?next={request.path}")
            if AUTH_AT not in session:
                session[AUTH_AT] = now
            if now - seen_at >= SEEN_WRITE_INTERVAL or SEEN_AT not in session:
                session[SEEN_AT] = now
        return self.get_response(request)
