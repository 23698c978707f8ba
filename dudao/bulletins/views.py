"""Pages of 督查通报: archive, new draft, the reader/editor, downloads. Thin: parse, call a
selector or a service, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dudao.bulletins import render as rendering
from dudao.bulletins import selectors, services
from dudao.bulletins.models import Bulletin
from dudao.bulletins.rules import AUTHOR_ROLES, COUNTY_KINDS
from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest, paginate, query_without_page
from dudao.core.periods import Period, parse_month
from dudao.orgs.models import Organisation

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _version(request: AuthedHttpRequest) -> int | None:
    raw = str(request.POST.get("version") or "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _scopes(request: AuthedHttpRequest) -> list[Organisation]:
    kinds = (Organisation.Kind.CITY_GOV, Organisation.Kind.COUNTY_GOV)
    return list(
        Organisation.objects.visible_to(request.user)
        .filter(kind__in=kinds, is_active=True)
        .order_by("depth", "sort_order", "path")
    )


def _default_period() -> Period:
    from django.utils import timezone

    return Period.of(timezone.localdate()).previous_month()


def bulletin_list(request: AuthedHttpRequest) -> HttpResponse:
    """The archive: filters (kind, period, number, status, text), sortable, paged."""
    f = selectors.ArchiveFilter.from_query(request.GET)
    page = paginate(request, selectors.archive(request.user, f), 30)
    context: dict[str, Any] = {
        "f": f,
        "page": page,
        "kinds": selectors.kind_list(),
        "statuses": Bulletin.Status.choices,
        "query": query_without_page(request),
        "sort_query": _without(request, "sort", "page"),
        "can_create": request.user.has_role(*AUTHOR_ROLES),
        "scopes": _scopes(request) if request.user.has_role(*AUTHOR_ROLES) else [],
        "default_period": _default_period().key,
        "county_kinds": sorted(COUNTY_KINDS),
    }
    return render(request, "bulletins/list.html", context)


def _without(request: AuthedHttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@require_POST
def bulletin_create(request: AuthedHttpRequest) -> HttpResponse:
    """Generate a draft from the data and open it in the editor."""
    try:
        period = parse_month(request.POST.get("period"))
        scope = None
        raw = str(request.POST.get("scope") or "")
        if raw:
            scope = next((o for o in _scopes(request) if str(o.pk) == raw), None)
            if scope is None:
                raise DomainError("请选择您数据范围内的市或县（市、区）。", field="scope")
        bulletin = services.make_draft(
            actor=request.user,
            kind=str(request.POST.get("kind") or "")[:20],
            period=period,
            scope=scope,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("bulletins:list")
    messages.success(request, f"已生成草稿：{bulletin.title}。请核对数据、修改文字后送审。")
    return redirect("bulletins:detail", pk=bulletin.pk)


def _detail(
    request: AuthedHttpRequest, bulletin: Bulletin, *, error: str = "", status: int = 200
) -> HttpResponse:
    changes: dict[str, str] = {}
    if bulletin.status == Bulletin.Status.APPROVED:
        changes = selectors.figure_changes(bulletin, request.user)
    figures = selectors.figures(bulletin)
    context = {
        "b": bulletin,
        "content": selectors.reader_blocks(bulletin, changes),
        "figures": figures,
        "changes": changes,
        "can_edit": selectors.can_edit(request.user, bulletin),
        "can_sign": selectors.can_sign(request.user, bulletin),
        "pdf": _pdf_available(),
        "error": error,
        "overridden": [f for f in figures if f.overridden],
    }
    return render(request, "bulletins/detail.html", context, status=status)


def bulletin_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The reader view; for the drafting office also the editor and the workflow."""
    return _detail(request, selectors.get_bulletin(request.user, pk))


def _after(request: AuthedHttpRequest, pk: int, call: Any, success: str) -> HttpResponse:
    try:
        call()
    except DomainError as exc:
        bulletin = selectors.get_bulletin(request.user, pk)
        return _detail(request, bulletin, error=exc.message, status=exc.status_code)
    messages.success(request, success)
    return redirect("bulletins:detail", pk=pk)


@require_POST
def edit_paragraph(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    selectors.get_bulletin(request.user, pk)
    return _after(
        request,
        pk,
        lambda: services.edit_paragraph(
            actor=request.user,
            bulletin=pk,
            paragraph=str(request.POST.get("paragraph") or "")[:20],
            text=str(request.POST.get("text") or ""),
            version=_version(request),
        ),
        "段落已保存。",
    )


@require_POST
def override_figure(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    selectors.get_bulletin(request.user, pk)
    return _after(
        request,
        pk,
        lambda: services.override_figure(
            actor=request.user,
            bulletin=pk,
            key=str(request.POST.get("key") or "")[:60],
            value=str(request.POST.get("value") or ""),
            reason=str(request.POST.get("reason") or ""),
            version=_version(request),
        ),
        "数据项已保存。",
    )


@require_POST
def transition(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """送审 / 签发 / 退回."""
    selectors.get_bulletin(request.user, pk)
    action = str(request.POST.get("action") or "")
    version = _version(request)
    reason = str(request.POST.get("reason") or "")
    steps: dict[str, tuple[Any, str]] = {
        "submit": (
            lambda: services.submit(actor=request.user, bulletin=pk, version=version),
            "已送审，等待签发。",
        ),
        "approve": (
            lambda: services.approve(actor=request.user, bulletin=pk, version=version),
            "已签发，文号已生成，文本已存档。",
        ),
        "return": (
            lambda: services.return_bulletin(
                actor=request.user, bulletin=pk, reason=reason, version=version
            ),
            "已退回起草人修改。",
        ),
    }
    if action not in steps:
        bulletin = selectors.get_bulletin(request.user, pk)
        return _detail(request, bulletin, error="未知的操作，请刷新页面后重试。", status=400)
    call, success = steps[action]
    return _after(request, pk, call, success)


def _filename(bulletin: Bulletin, ext: str) -> str:
    name = f"{bulletin.number_text.replace(' ', '')}-{bulletin.title}.{ext}"
    return quote(name)


def _docx_bytes(bulletin: Bulletin) -> bytes:
    """An issued bulletin's frozen bytes; a draft rendered as it stands."""
    if bulletin.status == Bulletin.Status.APPROVED and bulletin.docx:
        return bytes(bulletin.docx)
    return rendering.render_docx(bulletin)


def download_docx(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    bulletin = selectors.get_bulletin(request.user, pk)
    response = HttpResponse(_docx_bytes(bulletin), content_type=DOCX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_filename(bulletin, 'docx')}"
    return response


def _pdf_available() -> bool:
    from dudao.bulletins import pdf

    return pdf.pdf_available()


def download_pdf(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    from dudao.bulletins import pdf

    bulletin = selectors.get_bulletin(request.user, pk)
    if not pdf.pdf_available():
        raise Http404("服务器未安装 PDF 转换组件，请下载 Word 文本。")
    try:
        data = pdf.docx_to_pdf(_docx_bytes(bulletin))
    except DomainError as exc:
        return _detail(request, bulletin, error=exc.message, status=exc.status_code)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_filename(bulletin, 'pdf')}"
    return response
