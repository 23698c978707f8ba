"""Regions API (reference data, readable by every logged-in user)."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from dudao.core.pagination import Pagination
from dudao.regions.models import Region

router = Router(tags=["行政区划"])


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    is_current: bool

    @staticmethod
    def resolve_parent_code(obj: Region) -> str | None:
        return obj.parent_id


@router.get("", response=list[RegionOut], url_name="region_list", summary="行政区划列表")
@paginate(Pagination)
def region_list(
    request: HttpRequest, level: str | None = None, parent: str | None = None
) -> object:
    qs = Region.objects.all()
    if level:
        qs = qs.filter(level=level)
    if parent:
        qs = qs.filter(parent_id=parent)
    return qs


@router.get("/{code}", response=RegionOut, url_name="region_detail", summary="单个行政区划")
def region_detail(request: HttpRequest, code: str) -> Region:
    return get_object_or_404(Region, code=code)
