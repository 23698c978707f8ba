"""Deny-by-default URL policy: the vocabulary of the table (who may call a URL name and method).

The table itself is `dudao.policy.POLICY` (the access-control documentation, ASVS 5.0 V8.1.1),
applied by `dudao.policy.middleware.PolicyMiddleware`; the scope-matrix test reads it. A URL
that is not in the table answers 403 to everybody and fails the test suite. Object-level
scope (404 outside the user's subtree) is the selectors' job; this layer only checks
authentication and roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from dudao.core.roles import Role


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
