"""Apply the URL policy table (`dudao.policy.POLICY`) before any view runs (deny by default)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect

from dudao import policy
from dudao.audit.services import record_event
from dudao.core.policy import PASSWORD_CHANGE_ALLOWED, forbidden, is_api
from dudao.core.roles import ADMIN_ROLES

logger = logging.getLogger(__name__)

ADMINISTRATOR_ROLES = frozenset(ADMIN_ROLES)


class PolicyMiddleware:
    """Apply `dudao.policy.POLICY` before any view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(  # noqa: PLR0911 - one early return per policy outcome
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        name = match.view_name if match else ""
        rules = policy.POLICY.get(name)  # read per request: tests replace the table
        if rules is None:
            logger.error(
                "URL %s (%s) has no entry in dudao.policy.POLICY: denied", name, request.path
            )
            return forbidden(request, "此地址未在访问策略中登记，已拒绝。")
        method = "GET" if request.method == "HEAD" else (request.method or "GET")
        access = rules.get(method)
        if access is None:
            return HttpResponseNotAllowed(sorted(rules))
        if access.public:
            return None
        if not request.user.is_authenticated:
            if is_api(request):
                return JsonResponse(
                    {"error": {"code": "unauthenticated", "message": "请先登录或提供 API 令牌。"}},
                    status=401,
                )
            return redirect_to_login(request.get_full_path())
        if (
            request.user.must_change_password
            and getattr(request, "auth_method", "session") == "session"
            and name not in PASSWORD_CHANGE_ALLOWED
        ):
            # An administrator set this password: nothing else until the owner replaces it.
            if is_api(request):
                return forbidden(request, "请先在网页上修改管理员设置的临时密码。")
            return redirect("password_change")
        if not access.allows(request.user):
            if access.roles is not None and access.roles <= ADMINISTRATOR_ROLES:
                # A refused attempt at an administrator function (三员): the 审计管理员 sees it.
                record_event(
                    actor=request.user,
                    action="access.denied",
                    success=False,
                    object_repr=name,
                    reason=f"{method} {request.path}"[:500],
                )
            return forbidden(request)
        return None
