"""Deny-by-default URL policy: for every URL name and HTTP method, who may call it.

The table in `dudao.policy` is the access-control documentation (ASVS 5.0 V8.1.1) and the
scope-matrix test reads it. A URL that is not in the table answers 403 to everybody and
fails the test suite. Object-level scope (404 outside the user's subtree) is the selectors'
job; this layer only checks authentication and roles.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render

from dudao.accounts.roles import Role

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Access:
    """Who may call one (URL name, method): everybody, any logged-in user, or some roles."""

    public: bool = False
    roles: frozenset[Role] | None = None

    def allows(self, user: Any) -> bool:
        """Return True when `user` passes this rule (authentication already checked)."""
        if self.public:
            return True
        if not user.is_authenticated:
            return False
        if self.roles is None:
            return True
        return any(user.roles & role for role in self.roles)


PUBLIC = Access(public=True)
AUTHENTICATED = Access()


def roles(*allowed: Role) -> Access:
    """Access for holders of any of `allowed`."""
    return Access(roles=frozenset(allowed))


Rules = dict[str, Access]  # HTTP method → access

# What an account with an administrator-set password may still open.
PASSWORD_CHANGE_ALLOWED = frozenset({"password_change", "logout", "login"})


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def forbidden(request: HttpRequest, message: str = "您没有执行此操作的权限。") -> HttpResponse:
    """Return the 403 answer as a page or as the API's JSON error."""
    if is_api(request):
        return JsonResponse({"error": {"code": "forbidden", "message": message}}, status=403)
    return render(request, "403.html", {"message": message}, status=403)


class PolicyMiddleware:
    """Apply `dudao.policy.POLICY` before any view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(  # noqa: PLR0911 - one early return per policy outcome
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        from dudao.policy import POLICY

        match = request.resolver_match
        name = match.view_name if match else ""
        rules = POLICY.get(name)
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
            return forbidden(request)
        return None
