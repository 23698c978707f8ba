"""/api/v1 endpoints of 产业集聚区. Function names become URL names (api:<name>): keep them
unique. The park profile (figures) is served by dudao.stats.api."""

from decimal import Decimal
from typing import Any

from ninja import Router, Schema
from ninja.pagination import paginate

from dudao.core.bounds import Id
from dudao.core.http import AuthedHttpRequest
from dudao.core.pagination import Pagination
from dudao.parks import selectors
from dudao.parks.models import Park

router = Router(tags=["产业集聚区"])


class IndustryOut(Schema):
    role: str
    industry_code: str
    industry_name: str


class ParkOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    level: str
    organisation_code: str | None
    county_code: str | None
    city_code: str | None
    planned_area_km2: Decimal | None
    built_area_km2: Decimal | None
    status: str | None
    industries: list[IndustryOut]

    @staticmethod
    def resolve_organisation_code(obj: Park) -> str | None:
        return obj.organisation.code if obj.organisation else None

    @staticmethod
    def resolve_county_code(obj: Park) -> str | None:
        return obj.county.code if obj.county else None

    @staticmethod
    def resolve_city_code(obj: Park) -> str | None:
        return obj.city_region_id

    @staticmethod
    def resolve_status(obj: Park) -> str | None:
        current = next(iter(obj.statuses.all()), None)
        return current.get_status_display() if current else None

    @staticmethod
    def resolve_industries(obj: Park) -> list[Any]:
        return list(obj.industries.all())


def _parks(request: AuthedHttpRequest) -> Any:
    return (
        selectors.visible_parks(request.user)
        .select_related("organisation", "county")
        .prefetch_related("statuses", "industries")
        .order_by("sort_order", "code")
    )


@router.get("/parks", response=list[ParkOut], url_name="parks_list", summary="数据范围内的园区")
@paginate(Pagination)
def parks_list(request: AuthedHttpRequest) -> Any:
    return _parks(request)


@router.get("/parks/{park_id}", response=ParkOut, url_name="parks_detail", summary="单个园区")
def parks_detail(request: AuthedHttpRequest, park_id: Id) -> Park:
    return selectors.get_park(request.user, park_id)
