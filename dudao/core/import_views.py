"""The shared upload page of every registered import that has no page of its own (the
province's tour results, supervision task lists, parks, investment deals and funds …): the same
试导入 → 确认导入 flow as the module pages (dudao.core.importflow).

A module mounts it under its own URL with its own policy entry (who may import is the policy's
and the importer's business, as for the CLI):

    path("import/", import_views.upload, {"kind": KIND}, name="import"),
    path("import/template/", import_views.template, {"kind": KIND}, name="import_template"),
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from dudao.core.importflow import FlowResult, run_upload
from dudao.core.imports import RegisteredImporter, discover
from dudao.core.xlsx import xlsx_response


def _entry(kind: str) -> RegisteredImporter:
    entry = discover().get(kind)
    if entry is None:
        raise Http404
    return entry


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, kind: str) -> HttpResponse:
    entry = _entry(kind)
    flow: FlowResult | None = None
    if request.method == "POST":
        flow = run_upload(request, kind=kind, func=entry.func, scope=kind)
    template_url = ""
    if entry.template is not None and request.resolver_match is not None:
        name = request.resolver_match.view_name
        template_url = reverse(f"{name}_template") if name.endswith("import") else ""
    return render(
        request,
        "imports/upload.html",
        {
            "entry": entry,
            "flow": flow,
            "action": request.path,
            "back": reverse(entry.back) if entry.back else "",
            "template_url": template_url,
            "accept_csv": entry.csv,
        },
    )


@require_GET
def template(request: HttpRequest, kind: str) -> HttpResponse:
    entry = _entry(kind)
    if entry.template is None:
        raise Http404
    return xlsx_response(f"{entry.page_title}导入模板.xlsx", entry.template(request.user))
