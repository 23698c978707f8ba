"""Demo parks: one Park per park committee the platform generator created (示范市's eighteen,
and at province scale every city's ten fictional parks)."""

from __future__ import annotations

from dudao.demo.registry import DemoContext, generator
from dudao.orgs.models import Organisation
from dudao.parks.models import Park

K = Park.Kind


def _kind(name: str) -> str:
    for marker, kind in (
        ("高新", K.HIGH_TECH),
        ("经济技术", K.ECONOMIC),
        ("商务中心", K.BUSINESS_CENTRE),
        ("特色商业", K.COMMERCIAL_STREET),
        ("产业集聚区", K.CLUSTER),
    ):
        if marker in name:
            return kind
    return K.SPECIALISED


@generator(order=15, name="产业集聚区")
def parks(ctx: DemoContext) -> None:
    committees = Organisation.objects.filter(kind=Organisation.Kind.PARK_COMMITTEE).select_related(
        "parent", "parent__region"
    )
    rows = []
    for i, org in enumerate(committees.order_by("path")):
        parent = org.parent
        county = parent if parent and parent.kind == Organisation.Kind.COUNTY_GOV else None
        city = parent if parent and parent.kind == Organisation.Kind.CITY_GOV else None
        if city is None and county is not None:
            city = county.parent
        name = org.name.removesuffix("管理委员会")
        rows.append(
            Park(
                code=org.code,
                name=name,
                short_name=org.short_name,
                kind=_kind(name),
                organisation=org,
                county=county,
                city_region=city.region if city else None,
                sort_order=i,
            )
        )
    Park.objects.bulk_create(rows, batch_size=500)
    ctx.counts["parks"] = len(rows)
