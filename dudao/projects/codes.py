"""National investment project codes (§2.5, §9.13), GB/T 4754 industry codes (§7.2) and the
builder's USCC (§7.3). Pure functions; the caller supplies the known area codes."""

from __future__ import annotations

import re
from collections.abc import Container, Mapping
from dataclasses import dataclass

from stdnum.cn import uscc as uscc_std
from stdnum.exceptions import InvalidFormat
from stdnum.exceptions import ValidationError as StdnumError

from dudao.core.exceptions import DomainError

CODE_RE = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(\d{2})-([0-9A-Z]{6})$")
LEGACY_YEARS = range(2015, 2021)  # first group 2015–2020 → legacy year
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
INDUSTRY_RE = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class DecodedCode:
    code: str
    scheme: str  # "legacy" | "2020"
    year: int
    month: int | None
    area: str
    sector: str
    type_code: str
    serial: str

    @property
    def describe(self) -> str:
        when = f"{self.year}年" + (f"{self.month}月" if self.month else "")
        scheme = "旧规则" if self.scheme == "legacy" else "新规则"
        return (
            f"{scheme}：赋码{when}，地区{self.area}，行业/部门{self.sector}，类型{self.type_code}"
        )


def decode_project_code(value: str, known_areas: Container[str]) -> DecodedCode:
    """Validate the 24-character code and decode it, or raise DomainError (field "code").

    The check character is not computed (its algorithm is not published, §2.5)."""
    code = (value or "").strip().upper()
    match = CODE_RE.match(code)
    if not match:
        raise DomainError(
            f"项目代码“{code}”格式不正确，应为 24 位，如 2509-410100-89-01-544060。", field="code"
        )
    first, area, sector, type_code, serial = match.groups()
    number = int(first)
    month: int | None
    if number in LEGACY_YEARS:
        scheme, year, month = "legacy", number, None
    else:
        yy, mm = divmod(number, 100)
        if yy < 20 or not 1 <= mm <= 12:
            raise DomainError(
                f"项目代码“{code}”的时间代码 {first} 无效（应为 2015–2020 年份或 YYMM 年月）。",
                field="code",
            )
        scheme, year, month = "2020", 2000 + yy, mm
    if area not in known_areas:
        raise DomainError(
            f"项目代码“{code}”中的地区代码 {area} 不是已知的行政区划代码或功能区代码。",
            field="code",
        )
    return DecodedCode(code, scheme, year, month, area, sector, type_code, serial)


@dataclass(frozen=True)
class AreaIndex:
    """Which county each area code belongs to (built once by `services.area_index`).

    `owners`: area code → the county organisation it belongs to (a county's GB/T 2260 code,
    a 功能区 code linked to its county); `above`: county → the codes of the city and province
    it lies in; `regions`: every GB/T 2260 code; `placed`: the counties whose own code is known;
    `names`: county → display name."""

    owners: Mapping[str, int]
    above: Mapping[int, frozenset[str]]
    regions: frozenset[str]
    placed: frozenset[int]
    names: Mapping[int, str]


def check_code_area(code: str, area: str, county_id: int, index: AreaIndex) -> None:
    """The area part of a project code must belong to the project's county (§2.5).

    Accepted: the county's own code, a 功能区 code linked to it, and — the city-level exception
    — the code of the city or province the county lies in (a project approved, 核准 or 备案 by a
    city or provincial department carries that authority's code). Refused, with the owner named:
    a code that belongs to another county, and any other 行政区划 code when the county's own code
    is known. A 功能区/演示 code linked to no county cannot be judged and is accepted."""
    owner = index.owners.get(area)
    if owner == county_id or area in index.above.get(county_id, frozenset()):
        return
    county = index.names.get(county_id, "")
    if owner is not None:
        raise DomainError(
            f"项目代码“{code}”的地区代码 {area} 属于{index.names.get(owner, '其他县（市、区）')}，"
            f"与项目所在县（市、区）“{county}”不符。地区代码应为{county}的行政区划代码或其功能区"
            "代码；市级、省级部门审批（核准、备案）的项目可使用所在市、省的代码。",
            field="code",
        )
    if area in index.regions and county_id in index.placed:
        raise DomainError(
            f"项目代码“{code}”的地区代码 {area} 不在项目所在县（市、区）“{county}”内。"
            f"地区代码应为{county}的行政区划代码或其功能区代码；市级、省级部门审批（核准、备案）"
            "的项目可使用所在市、省的代码。",
            field="code",
        )


def uscc_check_char(body: str) -> str:
    """GB 32100 check character of the first 17 characters (§7.3, §9.11)."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(value: str, field: str = "builder_uscc") -> str:
    """python-stdnum first; when it refuses only because the first 8 characters are not all
    digits (letters are legal for some registration authorities), the own mod-31 check decides."""
    code = (value or "").strip().upper().replace(" ", "")
    if not code:
        return ""
    message = f"统一社会信用代码“{code}”无效（应为18位，且校验位正确）。"
    try:
        return str(uscc_std.validate(code))
    except InvalidFormat:
        if (
            len(code) == 18
            and all(c in USCC_ALPHABET for c in code)
            and uscc_check_char(code[:17]) == code[17]
        ):
            return code
        raise DomainError(message, field=field) from None
    except StdnumError:
        raise DomainError(message, field=field) from None


def check_industry_code(value: str) -> str:
    """A GB/T 4754-2017 小类 code: four digits (by the project's use, §2.1)."""
    code = (value or "").strip()
    if code and not INDUSTRY_RE.match(code):
        raise DomainError(
            f"国民经济行业代码“{code}”应为 GB/T 4754 小类的 4 位数字。", field="industry_code"
        )
    return code
