"""/healthz, /readyz (load balancer; no login, no cookie, no cache) and the 运行状态 page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from dudao.core.http import AuthedHttpRequest, paginate, query_without_page
from dudao.ops import health, selectors


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up and serving (no database call)."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """200 when every readiness check passes, else 503 with the checks that failed."""
    found = health.readiness()
    ready = all(c.ok for c in found)
    body = {
        "ready": ready,
        "checks": [{"key": c.key, "label": c.label, "ok": c.ok, "detail": c.detail} for c in found],
    }
    return JsonResponse(
        body, status=200 if ready else 503, json_dumps_params={"ensure_ascii": False}
    )


def status(request: AuthedHttpRequest) -> HttpResponse:
    """运行状态: readiness, the job worker, the backups and the jobs that failed."""
    context = {
        "checks": health.readiness(),
        "heartbeats": selectors.heartbeats(),
        "backups": selectors.recent_backups(),
        "page": paginate(request, selectors.job_failures()),
        "query": query_without_page(request),
    }
    return render(request, "ops/status.html", context)
