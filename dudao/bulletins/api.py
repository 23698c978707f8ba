"""/api/v1 endpoints of 督查通报. Function names become URL names (api:<name>).

Scope-filtered like the pages: a county sees the bulletins sent to it (主送/抄送) and its own
drafts; anything else is 404.
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from dudao.bulletins import selectors, services
from dudao.bulletins.models import Bulletin
from dudao.bulletins.views import DOCX_TYPE, _docx_bytes, _filename
from dudao.core.apibody import body_doc, parse_body
from dudao.core.bounds import Id
from dudao.core.exceptions import DomainError
from dudao.core.http import AuthedHttpRequest
from dudao.core.pagination import Pagination
from dudao.core.periods import parse_month
from dudao.orgs.models import Organisation

router = Router(tags=["督查通报"])


class FigureOut(Schema):
    key: str
    label: str
    value: str = Field(description="通报中显示的数值（手工修改后为修改值）")
    data_value: str = Field(description="生成时数据给出的数值")
    unit: str
    source: str
    overridden: bool
    override_reason: str


class BulletinOut(Schema):
    id: int
    kind: str
    kind_name: str
    title: str
    number: str
    period: str
    scope_org_id: int
    scope: str
    status: str
    status_label: str
    version: int
    signed_on: dt.date | None
    sha256: str


class BulletinDetailOut(BulletinOut):
    main_to: str
    copy_to: str
    return_reason: str
    text: str = Field(description="全文（数据项按显示值）")
    figures: list[FigureOut]
    updated_figures: dict[str, str] = Field(
        description="已签发通报中，签发后数据已更新的数据项编码 → 现值（存档文本不变）"
    )


class DraftIn(Schema):
    kind: str = Field(max_length=20, description="projects / parks / supervision / inspections")
    period: str = Field(max_length=7, description="统计月份 YYYY-MM")
    scope_org_id: Id | None = Field(None, description="范围：市或县（市、区）政府；缺省为本市")


class BulletinTransitionIn(Schema):
    action: Literal["submit", "approve", "return"]
    version: int = Field(ge=0, le=2**31 - 1)
    reason: str = Field("", max_length=1000)


def _out(b: Bulletin) -> dict[str, Any]:
    return {
        "id": b.pk,
        "kind": b.kind.code,
        "kind_name": b.kind.name,
        "title": b.title,
        "number": b.number_text,
        "period": f"{b.period:%Y-%m}",
        "scope_org_id": b.scope_org_id,
        "scope": b.scope_org.name,
        "status": b.status,
        "status_label": b.get_status_display(),
        "version": b.version,
        "signed_on": b.signed_on,
        "sha256": b.docx_sha256,
    }


def _detail(request: AuthedHttpRequest, pk: int) -> dict[str, Any]:
    b = selectors.get_bulletin(request.user, pk)
    changes = (
        selectors.figure_changes(b, request.user) if b.status == Bulletin.Status.APPROVED else {}
    )
    content = selectors.reader_blocks(b)
    text = "\n".join(
        blk.get("plain") or blk.get("text", "")
        for blk in content["blocks"]
        if blk["type"] in ("paragraph", "heading")
    )
    return {
        **_out(b),
        "main_to": b.main_to,
        "copy_to": b.copy_to,
        "return_reason": b.return_reason,
        "text": text,
        "figures": [
            {
                "key": f.key,
                "label": f.label,
                "value": f.shown,
                "data_value": f.display,
                "unit": f.unit,
                "source": f"{f.source_module}·{f.source_text}",
                "overridden": f.overridden,
                "override_reason": f.override_reason,
            }
            for f in selectors.figures(b)
        ],
        "updated_figures": changes,
    }


@router.get(
    "/bulletins", response=list[BulletinOut], url_name="bulletin_list", summary="通报列表与存档"
)
@paginate(Pagination)
def bulletin_list(
    request: AuthedHttpRequest,
    kind: str = "",
    period: str = "",
    status: str = "",
    number: str = "",
    q: str = "",
    sort: str = "-period",
) -> Any:
    f = selectors.ArchiveFilter.from_query(
        {"kind": kind, "period": period, "status": status, "number": number, "q": q, "sort": sort}
    )
    return _Rows(selectors.archive(request.user, f))


class _Rows:
    """The archive queryset, turned into output rows one page at a time."""

    def __init__(self, qs: Any) -> None:
        self.qs = qs

    def count(self) -> int:
        return int(self.qs.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        return [_out(b) for b in self.qs[item]]


@router.post(
    "/bulletins",
    response={201: BulletinDetailOut},
    url_name="bulletin_list",
    summary="从数据生成通报草稿",
    openapi_extra=body_doc(DraftIn),
)
def bulletin_create(request: AuthedHttpRequest) -> Status[Any]:
    payload = parse_body(request, DraftIn)
    period = parse_month(payload.period)
    scope = None
    if payload.scope_org_id is not None:
        scope = (
            Organisation.objects.visible_to(request.user).filter(pk=payload.scope_org_id).first()
        )
        if scope is None:
            raise DomainError("范围单位不存在或不在您的数据范围内。", field="scope_org_id")
    bulletin = services.make_draft(
        actor=request.user, kind=payload.kind, period=period, scope=scope
    )
    return Status(201, _detail(request, bulletin.pk))


@router.get(
    "/bulletins/{bulletin_id}",
    response=BulletinDetailOut,
    url_name="bulletin_detail",
    summary="通报详情（全文、数据项及来源）",
)
def bulletin_detail(request: AuthedHttpRequest, bulletin_id: Id) -> dict[str, Any]:
    return _detail(request, bulletin_id)


@router.post(
    "/bulletins/{bulletin_id}/transitions",
    response=BulletinDetailOut,
    url_name="bulletin_transition",
    summary="办理：submit 送审 / approve 签发 / return 退回（须填原因）",
    openapi_extra=body_doc(BulletinTransitionIn),
)
def bulletin_transition(request: AuthedHttpRequest, bulletin_id: Id) -> dict[str, Any]:
    selectors.get_bulletin(request.user, bulletin_id)
    payload = parse_body(request, BulletinTransitionIn)
    if payload.action == "submit":
        services.submit(actor=request.user, bulletin=bulletin_id, version=payload.version)
    elif payload.action == "approve":
        services.approve(actor=request.user, bulletin=bulletin_id, version=payload.version)
    else:
        services.return_bulletin(
            actor=request.user, bulletin=bulletin_id, reason=payload.reason, version=payload.version
        )
    return _detail(request, bulletin_id)


@router.get(
    "/bulletins/{bulletin_id}/docx",
    url_name="bulletin_docx",
    summary="下载 Word 文本（已签发：存档文本；草稿：按当前内容生成）",
    response={200: None},
    openapi_extra={"responses": {200: {"description": "Word 文件", "content": {DOCX_TYPE: {}}}}},
)
def bulletin_docx(request: AuthedHttpRequest, bulletin_id: Id) -> HttpResponse:
    b = selectors.get_bulletin(request.user, bulletin_id)
    response = HttpResponse(_docx_bytes(b), content_type=DOCX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_filename(b, 'docx')}"
    return response
