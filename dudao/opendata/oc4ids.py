"""OC4IDS 0.9.5 (Open Contracting for Infrastructure Data Standards) from the public releases.

The mapping (docs/opendata.md, domain-research §8.9): the project id is the city's registered
prefix (setting DUDAO_OC4IDS_PREFIX) + the national project code; the code is repeated as an
additional identifier (scheme `CN-投资项目代码`); stages and build natures map to the
projectStatus and projectType codelists; amounts are in yuan with currency CNY; the location is
the county's GB/T 2260 code (gazetteer scheme `CN-GBT2260`). Only what a release holds is
exported, so an internal field cannot appear."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

if TYPE_CHECKING:
    from dudao.opendata.models import Release

SCHEMA_VERSION = "0.9"
CODE_SCHEME = "CN-投资项目代码"
GAZETTEER = "CN-GBT2260"
CATEGORY_SCHEME = "CN-重大项目类别"
INDUSTRY_SCHEME = "GB/T 4754-2017"
USCC_SCHEME = "CN-USCC"
SHANGHAI = ZoneInfo("Asia/Shanghai")

# 前期 → preparation; 新开工/续建 → implementation; 竣工/投产 → completion (domain research §8.9)
STATUS = {
    "preparation": "preparation",
    "new": "implementation",
    "continuing": "implementation",
    "completed": "completion",
    "producing": "completion",
}
# 新建/扩建/改建/迁建; 其他 has no OC4IDS type and is left out
TYPE = {
    "new": "construction",
    "expansion": "expansion",
    "reconstruction": "rehabilitation",
    "relocation": "replacement",
}
# The categories with an honest projectSector equivalent; the others carry only the local
# classification.
SECTOR = {"industry": ["economy"], "infrastructure": ["transport"]}
WAN = Decimal(10_000)


def project_id(payload: dict[str, Any]) -> str:
    code = payload["fields"].get("code") or f"P{payload['project_id']}"
    return f"{settings.DUDAO_OC4IDS_PREFIX}{code}"


def _yuan(wan: str | None) -> int | float | None:
    """万元 (two decimals) to yuan: a whole number, kept exact."""
    if not wan:
        return None
    yuan = Decimal(wan) * WAN
    return int(yuan) if yuan == yuan.to_integral_value() else float(yuan)


def _datetime(day: str | None, *, end: bool = False) -> str | None:
    if not day:
        return None
    d = date.fromisoformat(day)
    moment = datetime(d.year, d.month, d.day, 23 if end else 0, 59 if end else 0, tzinfo=SHANGHAI)
    return moment.isoformat()


def _milestones(payload: dict[str, Any], today: date) -> list[dict[str, Any]]:
    out = []
    for n, row in enumerate(payload.get("milestones", []), start=1):
        item: dict[str, Any] = {"id": str(n), "title": row["node"], "type": "delivery"}
        if row["actual"]:
            item["status"] = "met"
            item["dateMet"] = _datetime(row["actual"])
        elif row["planned"] and date.fromisoformat(row["planned"]) < today:
            item["status"] = "notMet"
        else:
            item["status"] = "scheduled"
        if row["planned"]:
            item["dueDate"] = _datetime(row["planned"])
        out.append(item)
    return out


def _period(payload: dict[str, Any]) -> dict[str, str]:
    planned = {m["role"]: m["planned"] for m in payload.get("milestones", []) if m["role"]}
    period = {}
    if planned.get("start"):
        period["startDate"] = _datetime(planned["start"]) or ""
    finish = planned.get("complete") or planned.get("produce")
    if finish:
        period["endDate"] = _datetime(finish, end=True) or ""
    return period


def _metrics(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """financialProgress: cumulative planned and approved investment at each month end."""
    invest = payload.get("investment")
    if not invest:
        return []
    year = invest["year"]
    observations = []
    for row in invest["months"]:
        month = row["month"]
        last = (date(year + (month == 12), month % 12 + 1, 1) - date.resolution).isoformat()
        period = {"startDate": _datetime(f"{year}-01-01"), "endDate": _datetime(last, end=True)}
        for kind, note in (("planned", "计划累计投资"), ("actual", "实际完成累计投资（已审核）")):
            amount = _yuan(row[kind])
            if amount is None:
                continue
            observations.append(
                {
                    "id": f"{kind}-{year}-{month:02d}",
                    "period": period,
                    "value": {"amount": amount, "currency": "CNY"},
                    "notes": note,
                }
            )
    if not observations:
        return []
    return [
        {
            "id": "financialProgress",
            "title": "投资完成进度",
            "description": "当年自1月起累计的计划投资与已审核的实际完成投资（元）。",
            "observations": observations,
        }
    ]


def project(release: Release, today: date | None = None) -> dict[str, Any]:  # noqa: PLR0912 - one branch per optional OC4IDS block
    """One OC4IDS project from one release (only its public fields)."""
    payload = release.payload
    fields, facts = payload["fields"], payload["facts"]
    today = today or timezone.localdate()
    out: dict[str, Any] = {
        "id": project_id(payload),
        "updated": release.released_at.astimezone(SHANGHAI).isoformat(),
        "language": "zh",
        "title": fields["name"],
    }
    if fields.get("code"):
        out["identifiers"] = [{"id": fields["code"], "scheme": CODE_SCHEME}]
    if fields.get("description"):
        out["description"] = fields["description"]
    out["status"] = STATUS[facts["stage_code"]]
    if "build_nature" in fields and facts["build_nature_code"] in TYPE:
        out["type"] = TYPE[facts["build_nature_code"]]
    if facts["category_code"] in SECTOR:
        out["sector"] = SECTOR[facts["category_code"]]
    classes = [{"scheme": CATEGORY_SCHEME, "id": facts["category_code"]}]
    classes[0]["description"] = fields["category"]
    if fields.get("industry_code"):
        classes.append({"scheme": INDUSTRY_SCHEME, "id": fields["industry_code"]})
    out["additionalClassifications"] = classes
    amount = _yuan(fields.get("total_investment"))
    if amount is not None:
        out["budget"] = {"amount": {"amount": amount, "currency": "CNY"}}
    period = _period(payload)
    if period:
        out["period"] = period
    location: dict[str, Any] = {"id": "1", "description": fields["county"]}
    if facts["county_code"]:
        location["gazetteer"] = {"scheme": GAZETTEER, "identifiers": [facts["county_code"]]}
    out["locations"] = [location]
    if fields.get("builder_name"):
        party: dict[str, Any] = {
            "id": "builder",
            "name": fields["builder_name"],
            "roles": ["publicAuthority"],
        }
        if fields.get("builder_uscc"):
            party["identifier"] = {"scheme": USCC_SCHEME, "id": fields["builder_uscc"]}
        out["parties"] = [party]
        out["publicAuthority"] = {"id": "builder", "name": fields["builder_name"]}
    milestones = _milestones(payload, today)
    if milestones:
        out["milestones"] = milestones
    done = (payload.get("completion") or {}).get("date")
    if done:
        out["completion"] = {"endDate": _datetime(done, end=True)}
    metrics = _metrics(payload)
    if metrics:
        out["metrics"] = metrics
    return out


def package_head(uri: str) -> dict[str, Any]:
    """The package's metadata (everything but `projects`)."""
    return {
        "uri": uri,
        "publishedDate": timezone.now().astimezone(SHANGHAI).isoformat(timespec="seconds"),
        "version": SCHEMA_VERSION,
        "publisher": {"name": settings.DUDAO_OPENDATA_PUBLISHER},
        "license": settings.DUDAO_OPENDATA_LICENSE,
        "publicationPolicy": settings.DUDAO_OPENDATA_POLICY_URL,
    }


def stream_package(uri: str, releases: Iterable[Release]) -> Iterator[str]:
    """The project package as JSON text in pieces, one project at a time (constant memory)."""
    head = json.dumps(package_head(uri), ensure_ascii=False)
    yield head[:-1] + ', "projects": ['
    today = timezone.localdate()
    for n, release in enumerate(releases):
        yield ("," if n else "") + json.dumps(project(release, today), ensure_ascii=False)
    yield "]}"
