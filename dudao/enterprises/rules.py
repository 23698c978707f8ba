"""Rules of the enterprises app that other code may rely on: the USCC check (GB 32100-2015),
the evaluation's data items and metrics, and the grading bands (A/B/C/D on rank/N).

Pure functions, no database. The scoring engine itself is in `scoring.py`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from dudao.core.numbers import dec, mul

# An enterprise is coded at the GB/T 4754-2017 小类 level (4 digits, e.g. 3562).
INDUSTRY_CODE_RE = r"^[0-9]{4}$"

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


class UsccError(ValueError):
    """A USCC that cannot be accepted; the message is Chinese, user-facing."""


def normalise_uscc(text: str) -> str:
    """Return the USCC in its stored form (full-width characters folded, separators and spaces
    removed, upper case) after checking length, character set and check character.

    python-stdnum's `cn.uscc` does the normalising and the mod-31 check; its format rule
    (the first 8 characters digits) would refuse codes whose 登记管理部门 is a letter
    (e.g. N 农业, Y 其他), which GB 32100 allows, so the format is checked here instead.
    """
    folded = unicodedata.normalize("NFKC", text or "")
    number = stdnum_uscc.compact(folded)
    if len(number) != 18:
        raise UsccError(f"统一社会信用代码应为18位，实为{len(number)}位。")
    bad = sorted({c for c in number if c not in USCC_ALPHABET})
    if bad:
        raise UsccError(
            f"统一社会信用代码含有不允许的字符「{''.join(bad)}」（不使用I、O、S、V、Z）。"
        )
    if not number[2:8].isdigit():
        raise UsccError("统一社会信用代码第3–8位（登记管理机关行政区划码）应为数字。")
    try:
        if number[:2].isdigit():
            stdnum_uscc.validate(number)
        elif number[-1] != stdnum_uscc.calc_check_digit(number):
            raise InvalidChecksum()
    except InvalidChecksum:
        expected = stdnum_uscc.calc_check_digit(number)
        raise UsccError(
            f"统一社会信用代码校验位错误：第18位应为「{expected}」，实为「{number[-1]}」。"
        ) from None
    except (InvalidLength, ValidationError):  # pragma: no cover - checked above
        raise UsccError("统一社会信用代码格式不正确。") from None
    return number


class UngradedClass(models.TextChoices):
    """Enterprises evaluated but not graded, managed as B (domain-research §1.3 H)."""

    UTILITY = "utility", "公用事业"
    TAX_PREFERENCE = "tax_pref", "享受税收优惠政策"
    STARTUP = "startup", "初创期企业"
    CONSTRUCTION = "construction", "重大项目建设期"


@dataclass(frozen=True)
class DataItem:
    label: str
    unit: str


# The annual figures an enterprise is evaluated on (issue 17 §2).
DATA_ITEMS: dict[str, DataItem] = {
    "tax": DataItem("税收", "万元"),
    "revenue": DataItem("营业收入", "万元"),
    "value_added": DataItem("工业增加值", "万元"),
    "energy": DataItem("综合能耗", "吨标准煤"),
    "power": DataItem("用电量", "万千瓦时"),
    "rnd": DataItem("研发经费", "万元"),
    "employees": DataItem("从业人员", "人"),
    "land": DataItem("用地面积", "亩"),
    "emissions": DataItem("主要污染物排放量", "吨"),
}


@dataclass(frozen=True)
class Metric:
    """An evaluation item: numerator ÷ denominator of two data items."""

    label: str
    unit: str
    numerator: str
    denominator: str


METRICS: dict[str, Metric] = {
    "tax_per_mu": Metric("亩均税收", "万元/亩", "tax", "land"),
    "va_per_mu": Metric("亩均增加值", "万元/亩", "value_added", "land"),
    "revenue_per_mu": Metric("亩均营业收入", "万元/亩", "revenue", "land"),
    "va_per_energy": Metric("单位能耗增加值", "万元/吨标准煤", "value_added", "energy"),
    "va_per_emission": Metric("单位排放增加值", "万元/吨", "value_added", "emissions"),
    "labour_productivity": Metric("全员劳动生产率", "万元/人", "value_added", "employees"),
    "rnd_ratio": Metric("研发经费投入强度", "", "rnd", "revenue"),
    "tax_per_power": Metric("单位电耗税收", "万元/万千瓦时", "tax", "power"),
}


class Grade(models.TextChoices):
    A = "A", "A类（优先发展类）"
    B = "B", "B类（鼓励提升类）"
    C = "C", "C类（规范转型类）"
    D = "D", "D类（调控帮扶类）"


@dataclass(frozen=True)
class Bands:
    """Upper bounds of A, B and C as fractions of N (half-open on rank/N: A ≤ a, B ≤ b,
    C ≤ c, else D)."""

    a: Decimal = Decimal("0.25")
    b: Decimal = Decimal("0.70")
    c: Decimal = Decimal("0.95")


def grade_for(rank: int, count: int, bands: Bands) -> str:
    """The grade of `rank` among `count` graded enterprises. rank/N is compared exactly
    (rank ≤ bound × N), so rank 50 of 200 (25.0%) is A and rank 51 (25.5%) is B."""
    if count < 1 or rank < 1 or rank > count:
        raise ValueError("rank out of range")
    total, place = dec(count), dec(rank)
    if place <= mul(bands.a, total):
        return Grade.A.value
    if place <= mul(bands.b, total):
        return Grade.B.value
    if place <= mul(bands.c, total):
        return Grade.C.value
    return Grade.D.value
