"""The public JSON API under /open/api/ (a NinjaAPI of its own, documented at
/open/api/openapi.json and /open/api/docs): no login, read-only, rate-limited per IP, with
ETag / Last-Modified and 304 answers. It serves current releases only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from ninja import Field, NinjaAPI, Query, Schema

from dudao.core.bounds import MAX_OFFSET
from dudao.opendata import oc4ids, selectors, throttle
from dudao.opendata.public_views import MAX_AGE, _quiet_session

MAX_LIMIT = 200

open_api = NinjaAPI(
    title="督导 重大建设项目公开数据 API",
    version="1",
    description=(
        "已公开的重大建设项目（国办发〔2017〕94号）的公开字段，无需登录。"
        "每个 IP 每分钟的调用次数有限（超出返回 429，并给出 Retry-After）；"
        "响应带 ETag 与 Last-Modified，可用 If-None-Match / If-Modified-Since 获得 304。"
        "同一数据的 OC4IDS 0.9.5 项目包见 /open/oc4ids/projects.json。"
    ),
    urls_namespace="open_api",
    docs_url="/docs",
)


class OpenDataProjectRow(Schema):
    id: str = Field(description="OC4IDS 项目标识（登记前缀 + 全国投资项目代码）")
    project_id: int = Field(description="本平台的项目编号（项目页 /open/projects/{编号}/）")
    title: str = Field(description="项目名称")
    county: str = Field(description="所在县（市、区）")
    county_code: str = Field(description="GB/T 2260 行政区划代码（示范市为演示代码）")
    category: str = Field(description="项目类别编码")
    stage: str = Field(
        description=(
            "建设阶段编码：preparation 前期、new 新开工、continuing 续建、"
            "completed 竣工、producing 投产"
        )
    )
    year: int | None = Field(description="开工年份")
    total_investment: str | None = Field(description="总投资（万元，两位小数）")
    release: int = Field(description="公开版本号")
    released_at: str = Field(description="本版本发布时间（北京时间，ISO 8601）")


class OpenDataProjectQuery(Schema):
    county: str = Field("", max_length=12, description="GB/T 2260 代码")
    category: str = Field("", max_length=20, description="项目类别编码")
    stage: str = Field("", max_length=12, description="建设阶段编码")
    year: int | None = Field(None, ge=1900, le=2200, description="开工年份")
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="每页条数")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")


class OpenDataProjectPage(Schema):
    count: int
    items: list[OpenDataProjectRow]


class OpenDataProjectDetail(Schema):
    id: str
    project_id: int
    release: int
    released_at: str
    fields: dict[str, Any] = Field(description="公开字段（字段名见 /open/about/）")
    milestones: list[dict[str, Any]] | None = Field(description="形象进度节点：计划与实际日期")
    investment: dict[str, Any] | None = Field(
        description="当年逐月累计计划投资与已审核完成投资（万元）"
    )
    completion: dict[str, Any] | None = None
    photos: list[dict[str, Any]] = Field(
        default=[],
        description="经准许公开的现场照片（编号、说明、所属月份、上传日期、宽高、照片地址）",
    )
    history: list[dict[str, Any]] = Field(description="历次公开版本（版本号、发布时间）")


class OpenDataError(Schema):
    error: dict[str, Any]


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": code, "message": message}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _guard(request: HttpRequest) -> tuple[HttpResponse | None, selectors.Stamp]:
    """Rate limit, then the conditional GET; returns an early answer or None."""
    _quiet_session(request)
    allowed, retry = throttle.allow(request)
    stamp = selectors.public_stamp()
    if not allowed:
        response: HttpResponse = _error(429, "rate_limited", "请求过于频繁，请稍后再试。")
        response["Retry-After"] = str(retry)
        return response, stamp
    last = int(stamp.last_modified.timestamp()) if stamp.last_modified else None
    early = get_conditional_response(request, etag=quote_etag(stamp.etag), last_modified=last)
    if early is not None:
        _headers(early, stamp)
    return early, stamp


def _headers(response: HttpResponse, stamp: selectors.Stamp) -> HttpResponse:
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["ETag"] = quote_etag(stamp.etag)
    if stamp.last_modified is not None:
        response["Last-Modified"] = http_date(stamp.last_modified.timestamp())
    return response


def _json(data: Any, stamp: selectors.Stamp) -> HttpResponse:
    return _headers(JsonResponse(data, json_dumps_params={"ensure_ascii": False}), stamp)


ERRORS = {304: None, 404: OpenDataError, 429: OpenDataError}


@open_api.get(
    "/projects",
    response={200: OpenDataProjectPage, **ERRORS},
    url_name="project_list",
    summary="已公开的项目（可按县、类别、阶段、开工年份筛选，分页）",
)
def project_list(request: HttpRequest, params: Query[OpenDataProjectQuery]) -> HttpResponse:
    early, stamp = _guard(request)
    if early is not None:
        return early
    f = selectors.PublicFilters.from_query(
        {
            "county": params.county,
            "category": params.category,
            "stage": params.stage,
            "year": str(params.year or ""),
        }
    )
    qs = selectors.filter_public(f)
    rows = list(qs[params.offset : params.offset + params.limit])
    items = [
        {
            "id": oc4ids.project_id(r.payload),
            "project_id": r.project_id,
            "title": r.title,
            "county": r.county_name,
            "county_code": r.county_key,
            "category": r.category_code,
            "stage": r.stage,
            "year": r.year,
            "total_investment": str(r.total_investment) if r.total_investment is not None else None,
            "release": r.seq,
            "released_at": r.released_at.astimezone(oc4ids.SHANGHAI).isoformat(),
        }
        for r in rows
    ]
    return _json({"count": qs.count(), "items": items}, stamp)


@open_api.get(
    "/projects/{project_id}",
    response={200: OpenDataProjectDetail, **ERRORS},
    url_name="project_detail",
    summary="一个已公开项目的当前版本与版本历史",
)
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    early, stamp = _guard(request)
    if early is not None:
        return early
    release = selectors.public_releases().filter(project_id=project_id).first()
    if release is None:
        return _error(404, "not_found", "该项目未公开或不存在。")
    payload = release.payload
    return _json(
        {
            "id": oc4ids.project_id(payload),
            "project_id": release.project_id,
            "release": release.seq,
            "released_at": release.released_at.astimezone(oc4ids.SHANGHAI).isoformat(),
            "fields": payload["fields"],
            "milestones": payload.get("milestones"),
            "investment": payload.get("investment"),
            "completion": payload.get("completion"),
            "photos": [
                photo | {"url": reverse("open:photo", args=[release.project_id, photo["id"]])}
                for photo in payload.get("photos") or []
            ],
            "history": [
                {
                    "release": r.seq,
                    "released_at": r.released_at.astimezone(oc4ids.SHANGHAI).isoformat(),
                }
                for r in selectors.public_history(project_id)
            ],
        },
        stamp,
    )
