"""Error pages (the home page is `dudao.orgs.views.home`: it shows the user's data scope)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Explain an expired form instead of Django's English CSRF page."""
    return render(
        request,
        "403.html",
        {"message": "表单已过期或来源无法验证，请刷新页面后重新提交。"},
        status=403,
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):  # API clients get the API's one error shape
        return JsonResponse(
            {"error": {"code": "not_found", "message": "接口地址不存在。"}}, status=404
        )
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"message": "您没有执行此操作的权限。"}, status=403)
