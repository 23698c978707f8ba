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


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's "Bad Request (400)" in Chinese: a body over the upload limit is a 413 that says
    the limit, too many fields or files say so; pages get a page, the API its one error shape."""
    from django.conf import settings
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent

    status, code = 400, "bad_request"
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        status, code = 413, "too_large"
        message = f"提交的内容过大（上限 {limit} MB）。请拆分文件后分批上传。"
    elif isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        message = "提交的字段或文件数量过多，请减少后重试。"
    else:
        message = "请求格式不正确，请刷新页面后重试。"
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": code, "message": message}}, status=status)
    return render(request, "400.html", {"message": message}, status=status)
