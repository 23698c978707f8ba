"""Organisations API (scoped: outside the caller's subtree is 404)."""

from ninja import Router, Schema
from ninja.pagination import paginate

from dudao.core.bounds import Id
from dudao.core.http import AuthedHttpRequest
from dudao.core.pagination import Pagination
from dudao.orgs import selectors
from dudao.orgs.models import Organisation

router = Router(tags=["组织机构"])


class OrganisationOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    parent_id: int | None
    depth: int
    region_code: str | None
    is_active: bool

    @staticmethod
    def resolve_kind_label(obj: Organisation) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_region_code(obj: Organisation) -> str | None:
        return obj.region_id


@router.get(
    "", response=list[OrganisationOut], url_name="organisation_list", summary="数据范围内的单位"
)
@paginate(Pagination)
def organisation_list(request: AuthedHttpRequest, q: str = "", kind: str = "") -> object:
    return selectors.list_organisations(request.user, q=q, kind=kind)


@router.get(
    "/{org_id}", response=OrganisationOut, url_name="organisation_detail", summary="单个单位"
)
def organisation_detail(request: AuthedHttpRequest, org_id: Id) -> Organisation:
    return selectors.get_organisation(request.user, org_id)
