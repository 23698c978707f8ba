"""The /api/v1 front door: django-ninja, session or personal-token authentication.

Endpoints stay thin: parse, call one selector or service, return a schema. Errors share one
JSON shape: {"error": {"code": …, "message": <Chinese>, "details": …}}.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from dudao.core.exceptions import DomainError


class SessionOrToken(APIKeyCookie):
    """Accept a user set by ApiTokenMiddleware (no CSRF) or a session (CSRF on writes)."""

    param_name = "sessionid"
    openapi_description = "浏览器会话（写操作需 CSRF），或 Authorization: Bearer <个人 API 令牌>"

    def __call__(self, request: HttpRequest) -> Any:
        if getattr(request, "auth_method", None) == "token":
            return request.user
        if not request.user.is_authenticated:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            error = check_csrf(request)
            if error:
                raise PermissionDenied("CSRF 校验失败，请刷新页面后重试。")
        return request.user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


# The one error shape, documented once and added to every operation's responses.
ERROR_SCHEMA: dict[str, Any] = {
    "title": "ErrorOut",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "机器可读的错误代码"},
                "message": {"type": "string", "description": "中文说明"},
                "details": {"description": "字段、当前值或逐项错误"},
            },
        }
    },
}
# What any operation may answer besides its own responses; writes may also answer 409 (a stale
# version, a concurrent change) and 413 (a body over the configured limit).
COMMON_ERRORS = {
    400: "业务规则不允许（附中文说明）",
    401: "未登录或令牌无效",
    403: "无此操作权限",
    404: "对象不存在或不在您的数据范围内",
    422: "请求参数不正确",
}
WRITE_ERRORS = {409: "数据已被他人修改或状态冲突（附当前值）", 413: "请求体过大"}
_ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


class DudaoAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI schema documents the error responses of every operation."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["ErrorOut"] = ERROR_SCHEMA
        for item in schema.get("paths", {}).values():
            for method, operation in item.items():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                errors = dict(COMMON_ERRORS)
                if method.lower() in ("post", "put", "patch", "delete"):
                    errors.update(WRITE_ERRORS)
                _document_errors(operation["responses"], errors)
        return schema


def _document_errors(responses: dict[Any, Any], errors: dict[int, str]) -> None:
    for status, description in errors.items():
        existing = responses.get(status) or responses.get(str(status))
        if existing is None:
            responses[status] = {
                "description": description,
                "content": {"application/json": {"schema": _ERROR_REF}},
            }
            continue
        # An operation with its own body for this status (an import's 422 report) may still
        # answer the common error shape (a missing file is a validation error).
        content = existing.setdefault("content", {}).setdefault("application/json", {})
        own = content.get("schema")
        if own is not None and own != _ERROR_REF:
            content["schema"] = {"anyOf": [own, _ERROR_REF]}
        else:
            content["schema"] = _ERROR_REF


api = DudaoAPI(
    title="督导 Dudao API",
    version="1",
    description=(
        "重大项目与产业集聚区督查平台的接口。所有数据按调用者的数据范围过滤；范围外对象返回 404。"
    ),
    urls_namespace="api",
    auth=SessionOrToken(),
    docs_url="/docs",
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, details: Any = None
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {"loc": [str(p) for p in err.get("loc", [])], "message": _zh(err)} for err in exc.errors
    ]
    return _error(request, 422, "invalid", "请求参数不正确。", details)


def _zh(err: dict[str, Any]) -> str:
    kind = str(err.get("type", ""))
    table = {
        "missing": "必填项缺失",
        "int_parsing": "应为整数",
        "int_type": "应为整数",
        "string_type": "应为文本",
        "string_too_long": "文本过长",
        "string_too_short": "文本过短",
        "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
        "date_parsing": "日期格式应为 YYYY-MM-DD",
        "datetime_parsing": "时间格式应为 ISO 8601",
        "bool_parsing": "应为 true 或 false",
        "json_invalid": "JSON 格式错误",
        "greater_than_equal": "数值过小",
        "less_than_equal": "数值过大",
        "literal_error": "取值不在允许范围内",
        "enum": "取值不在允许范围内",
    }
    return table.get(kind, f"取值无效（{kind}）")


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "请先登录或提供 API 令牌。")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "对象不存在或不在您的数据范围内。")


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", str(exc) or "您没有执行此操作的权限。")


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    details: Any = exc.details
    if exc.field:
        details = {"field": exc.field, **({"current": exc.details} if exc.details else {})}
    return _error(request, exc.status_code, exc.code, exc.message, details)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ValueError):
        # django-ninja could not read a declared JSON body (not JSON, not UTF-8): the same 422
        # as dudao.core.apibody.parse_body gives, in Chinese.
        details = [{"loc": ["body"], "message": _zh({"type": "json_invalid"})}]
        return _error(request, 422, "invalid", "请求参数不正确。", details)
    return _error(request, exc.status_code, "error", str(exc))


def _register_routers() -> None:
    from dudao.accounts.api import router as accounts_router
    from dudao.audit.api import router as audit_router
    from dudao.orgs.api import router as orgs_router
    from dudao.regions.api import router as regions_router

    api.add_router("/", accounts_router)
    api.add_router("/regions", regions_router)
    api.add_router("/organisations", orgs_router)
    api.add_router("/audit-events", audit_router)
    # Business modules: each router names its own full paths (/projects/…, /tasks/…).
    for app in settings.DOMAIN_APPS:
        api.add_router("/", import_module(f"dudao.{app}.api").router)


_register_routers()
