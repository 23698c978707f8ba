"""The public pages under /open/: no login, read-only, cacheable, no cookie, no JavaScript.

Every page is made from current releases only (dudao.opendata.selectors public functions).
A page answers 304 to a matching If-None-Match / If-Modified-Since; its body is kept in the
shared cache under the publication stamp, so a publication or withdrawal is visible at once."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.core.cache import cache
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag

from dudao.core.http import paginate, query_without_page
from dudao.core.numbers import format_decimal
from dudao.opendata import downloads, oc4ids, selectors

MAX_AGE = 300
CACHE_SECONDS = 600
PER_PAGE = 30

View = Callable[..., HttpResponseBase]


def _headers(response: HttpResponseBase, stamp: selectors.Stamp) -> None:
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["ETag"] = quote_etag(stamp.etag)
    if stamp.last_modified is not None:
        response["Last-Modified"] = http_date(stamp.last_modified.timestamp())


def _quiet_session(request: HttpRequest) -> None:
    # A logged-in visitor's session may have been touched by the middleware (last seen): never
    # send a session cookie with a public, cacheable page.
    session = getattr(request, "session", None)
    if session is not None:
        session.modified = False


def public_page(*, cached: bool = True) -> Callable[[View], View]:
    """Wrap a public view: conditional GET (304), shared-cache body, public cache headers."""

    def wrap(view: View) -> View:
        @wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            _quiet_session(request)
            stamp = selectors.public_stamp()
            last = stamp.last_modified.timestamp() if stamp.last_modified else None
            early = get_conditional_response(
                request, etag=quote_etag(stamp.etag), last_modified=int(last) if last else None
            )
            if early is not None:
                _headers(early, stamp)
                return early
            key = f"opendata:page:{stamp.etag}:{request.get_full_path()}"
            body = cache.get(key) if cached else None
            if body is not None:
                response: HttpResponseBase = HttpResponse(body["content"], status=body["status"])
                response["Content-Type"] = body["type"]
            else:
                response = view(request, *args, **kwargs)
                if (
                    cached
                    and isinstance(response, HttpResponse)
                    and response.status_code
                    in {
                        200,
                        404,
                    }
                ):
                    cache.set(
                        key,
                        {
                            "content": response.content,
                            "status": response.status_code,
                            "type": response["Content-Type"],
                        },
                        CACHE_SECONDS,
                    )
            _headers(response, stamp)
            return response

        return inner

    return wrap


def _page(template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    # render_to_string without the request: no context processor runs, so no CSRF token,
    # no messages and no user menu reach a public page.
    return HttpResponse(render_to_string(template, context), status=status)


def _not_found() -> HttpResponse:
    return _page(
        "opendata/public_404.html",
        {"title": "未找到该项目"},
        status=404,
    )


@public_page()
def index(request: HttpRequest) -> HttpResponse:
    filters = selectors.PublicFilters.from_query(request.GET)
    page = paginate(request, selectors.filter_public(filters).defer("payload"), per_page=PER_PAGE)
    rows = [
        {
            "id": r.project_id,
            "title": r.title,
            "county": r.county_name,
            "stage": selectors.STAGES.get(r.stage, ""),
            "year": r.year or "",
            "investment": format_decimal(r.total_investment, 2)
            if r.total_investment is not None
            else "",
        }
        for r in page.object_list
    ]
    return _page(
        "opendata/public_index.html",
        {
            "title": "重大建设项目信息公开",
            "page": page,
            "rows": rows,
            "filters": filters,
            "choices": selectors.filter_choices(),
            "query": query_without_page(request),
        },
    )


def _chart(investment: dict[str, Any] | None) -> dict[str, Any] | None:
    """Server-drawn bars (SVG, no JavaScript): planned vs approved cumulative investment."""
    if not investment:
        return None
    months = investment["months"]
    values = [Decimal(v) for m in months for v in (m["planned"], m["actual"]) if v]
    if not values:
        return None
    top = max(values) or Decimal(1)
    height, bar, gap = 160, 10, 8
    bars = []
    for i, m in enumerate(months):
        x = 30 + i * (2 * bar + gap)
        for j, kind in enumerate(("planned", "actual")):
            if not m[kind]:
                continue
            h = int(Decimal(m[kind]) / top * height)
            bars.append({"x": x + j * bar, "y": 10 + height - h, "h": h, "kind": kind})
    return {
        "year": investment["year"],
        "bars": bars,
        "labels": [{"x": 30 + i * (2 * bar + gap) + bar, "text": f"{i + 1}"} for i in range(12)],
        "width": 30 + 12 * (2 * bar + gap),
        "rows": [
            {
                "month": f"{m['month']}月",
                "planned": format_decimal(Decimal(m["planned"]), 2) if m["planned"] else "—",
                "actual": format_decimal(Decimal(m["actual"]), 2) if m["actual"] else "—",
            }
            for m in months
        ],
        "top": format_decimal(top, 2),
    }


@public_page()
def project(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        release = selectors.public_release(pk)
    except Http404:
        return _not_found()
    payload = release.payload
    return _page(
        "opendata/public_project.html",
        {
            "title": payload["fields"]["name"],
            "release": release,
            "oc4ids_id": oc4ids.project_id(payload),
            "sections": selectors.disclosure_sections(release),
            "milestones": payload.get("milestones"),
            "chart": _chart(payload.get("investment")),
            "photos": payload.get("photos") or [],
            "history": selectors.public_history(pk),
        },
    )


@public_page(cached=False)
def photo(request: HttpRequest, pk: int, photo_id: int) -> HttpResponseBase:
    """A photo cleared for publication and shown by the project's current release; 404 for
    any other (never cleared, cleared since the release, clearance taken back, withdrawn)."""
    try:
        found = selectors.public_photo(pk, photo_id)
    except Http404:
        return _not_found()
    response = FileResponse(found.image.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@public_page()
def about(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    return _page(
        "opendata/public_about.html",
        {
            "title": "关于公开数据",
            "publisher": settings.DUDAO_OPENDATA_PUBLISHER,
            "license": settings.DUDAO_OPENDATA_LICENSE,
            "prefix": settings.DUDAO_OC4IDS_PREFIX,
        },
    )


def _releases() -> Any:
    return selectors.public_releases().order_by("project_id").iterator(chunk_size=500)


@public_page(cached=False)
def oc4ids_package(request: HttpRequest) -> StreamingHttpResponse:
    uri = request.build_absolute_uri()
    response = StreamingHttpResponse(
        oc4ids.stream_package(uri, _releases()), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="projects.json"'
    return response


@public_page(cached=False)
def download_csv(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        downloads.csv_chunks(_releases()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f"attachment; filename=\"projects.csv\"; filename*=UTF-8''{quote('重大建设项目.csv')}"
    )
    return response


@public_page(cached=False)
def download_xlsx(request: HttpRequest) -> HttpResponse:
    from dudao.core.xlsx import xlsx_response

    return xlsx_response("重大建设项目.xlsx", downloads.xlsx_bytes(_releases()))
