"""The organisations' naming rule, public for every module: one display name per kind.

Pages, exports, the API and notifications name an organisation through `display_name`, so a
county reads "明湖区" on the ledger page and in its Excel export alike:

* a government of a place (省政府, 市政府, 县（市、区）政府) and a park committee (产业集聚区
  管委会) are named by their place — the short name (简称, e.g. "明湖区", "示范市"), or the
  full name when no short name is set;
* every other unit (督查室, 发改委, 商务局, 统计局, departments) by its full official name
  (单位名称), since its short name is an internal abbreviation.
"""

from __future__ import annotations

from typing import Protocol

# Organisation.Kind values whose display name is the place (kept as strings: models import us).
PLACE_KINDS = frozenset({"province_gov", "city_gov", "county_gov", "park_committee"})


class NamedOrg(Protocol):
    name: str
    short_name: str
    kind: str


def display_name(org: NamedOrg | None) -> str:
    """The one name shown for `org` ("" for none), by the rule of its kind."""
    if org is None:
        return ""
    return name_for(org.kind, org.name, org.short_name)


def name_for(kind: str, name: str, short_name: str) -> str:
    """`display_name` from plain values (for `values_list` reads)."""
    if kind in PLACE_KINDS:
        return short_name or name
    return name
