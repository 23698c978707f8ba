"""Geometry, fonts and the WordprocessingML helpers of the GB/T 9704 writer: the page and grid
in twips, the 公文 font names, runs and paragraphs with East-Asian fonts, widths of text and the
〔〕 of a 发文字号."""

from __future__ import annotations

import datetime
import functools
import itertools
import re
import zoneinfo
from typing import Any

from docx.oxml.ns import qn
from docx.oxml.parser import oxml_parser

# --- Geometry (twips unless named otherwise) ----------------------------------------------------

PAGE_W = 11906  # 210 mm
PAGE_H = 16838  # 297 mm
MARGIN_TOP = 2098  # 37 mm
MARGIN_BOTTOM = 1984  # 35 mm
MARGIN_LEFT = 1587  # 28 mm
MARGIN_RIGHT = 1474  # 26 mm
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT  # 8845 = 156 mm
LINE_PITCH = 579  # 28.95 pt: 22 lines in the 225 mm 版心
# 3号 runs are condensed by 0.25 pt (w:spacing, twentieths of a point): 28 × 15.75 pt = 441 pt
# fit the 442.25 pt 版心 width in Word, WPS and LibreOffice alike.
CONDENSE = -5
CHAR_PITCH = TEXT_W / 28  # 315.9 twips
FOOTER_DISTANCE = 1417  # 25 mm: the "—" dashes sit about 7 mm below the 版心

# The 版记 table is as wide as the 版心 and positioned from the page's left edge: LibreOffice
# floats a full-width table (keeping it at the foot of the last page) only when it is anchored
# to the page, not to the margin.
IMPRINT_W = TEXT_W

LINES_PER_PAGE = 22
CHARS_PER_LINE = 28

# Point sizes (Chinese 字号).
SIZE_2 = 22.0  # 2号: title
SIZE_3 = 16.0  # 3号: body
SIZE_4 = 14.0  # 4号: page numbers, 版记, dense tables

RED = "FF0000"

FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
SONGTI = "宋体"

# Font table entries: name → (Windows alternate, panose, charset, family, pitch).
_FONTS: dict[str, tuple[str, str]] = {
    FANGSONG: ("仿宋", "02010609030101010101"),
    "仿宋": ("FangSong", "02010609060101010101"),
    KAITI: ("楷体", "02010609030101010101"),
    HEITI: ("SimHei", "02010609060101010101"),
    XIAOBIAOSONG: ("宋体", "02000000000000000000"),
    SONGTI: ("SimSun", "02010600030101010101"),
}

MAX_IMAGE_CM = 15.6
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


# --- XML helpers -------------------------------------------------------------------------------


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NSMAP = {"w": _W_NS}


@functools.cache
def _clark(name: str) -> str:
    return qn(name)


def _el(tag: str, **attrs: str | int) -> Any:
    """A w: element with w: attributes (python-docx's element classes, fast path)."""
    attrib = {_clark(f"w:{key}"): str(value) for key, value in attrs.items()}
    return oxml_parser.makeelement(_clark(tag), attrib=attrib, nsmap=_NSMAP)


def _set_fonts(rpr: Any, font: str) -> None:
    for old in rpr.findall(qn("w:rFonts")):
        rpr.remove(old)
    fonts = _el("w:rFonts", ascii=font, hAnsi=font, eastAsia=font, cs=font)
    rpr.insert(0, fonts)


def _run_props(font: str, size_pt: float, *, bold: bool = False, color: str | None = None) -> Any:
    rpr = _el("w:rPr")
    rpr.append(_el("w:rFonts", ascii=font, hAnsi=font, eastAsia=font, cs=font))
    if bold:
        rpr.append(_el("w:b"))
        rpr.append(_el("w:bCs"))
    if color:
        rpr.append(_el("w:color", val=color))
    if size_pt == SIZE_3:
        rpr.append(_el("w:spacing", val=CONDENSE))
    half_points = round(size_pt * 2)
    rpr.append(_el("w:sz", val=half_points))
    rpr.append(_el("w:szCs", val=half_points))
    return rpr


def _add_run(
    p: Any,
    text: str,
    font: str,
    size_pt: float,
    *,
    bold: bool = False,
    color: str | None = None,
) -> None:
    """Append a run; a line feed becomes a line break, a tab a tab, other control characters
    (not allowed in XML) are dropped."""
    r = _el("w:r")
    r.append(_run_props(font, size_pt, bold=bold, color=color))
    for i, line in enumerate(_clean(text).split("\n")):
        if i:
            r.append(_el("w:br"))
        for j, piece in enumerate(line.split("\t")):
            if j:
                r.append(_el("w:tab"))
            if piece:
                t = _el("w:t")
                t.text = piece
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                r.append(t)
    p.append(r)


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        ch
        for ch in text
        if ch in "\n\t"
        or (0x20 <= ord(ch) <= 0xD7FF and not 0x7F <= ord(ch) <= 0x9F)
        or 0xE000 <= ord(ch) <= 0xFFFD
        or ord(ch) >= 0x10000
    )


def _para(
    *,
    align: str = "both",
    first_line: int = 0,
    left: int = 0,
    right: int = 0,
    hanging: int = 0,
    line: int | None = LINE_PITCH,
    before: int = 0,
    snap: bool = True,
    keep_next: bool = False,
    page_break: bool = False,
) -> Any:
    """A w:p with its paragraph properties (twips; `line=None` is single auto spacing)."""
    p = _el("w:p")
    ppr = _el("w:pPr")
    if keep_next:
        ppr.append(_el("w:keepNext"))
    if page_break:
        ppr.append(_el("w:pageBreakBefore"))
    ppr.append(_el("w:widowControl", val=0))
    if not snap:
        ppr.append(_el("w:snapToGrid", val=0))
    if line is None:
        ppr.append(_el("w:spacing", before=before, after=0, line=240, lineRule="auto"))
    else:
        ppr.append(_el("w:spacing", before=before, after=0, line=line, lineRule="exact"))
    ind: dict[str, str | int] = {"left": left, "right": right}
    if hanging:
        ind["hanging"] = hanging
    else:
        ind["firstLine"] = first_line
    ppr.append(_el("w:ind", **ind))
    ppr.append(_el("w:jc", val=align))
    p.append(ppr)
    return p


# CT_PPr child order (ECMA-376 §17.3.1.26); Word refuses out-of-order elements.
_PPR_TAGS = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers "
    "pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE "
    "autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents "
    "suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle "
    "rPr sectPr pPrChange"
)
_PPR_ORDER = [qn(f"w:{tag}") for tag in _PPR_TAGS.split()]


def _order_ppr(root: Any) -> None:
    for ppr in root.iter(qn("w:pPr")):
        children = list(ppr)
        children.sort(key=lambda c: _PPR_ORDER.index(c.tag) if c.tag in _PPR_ORDER else 99)
        for child in children:
            ppr.remove(child)
            ppr.append(child)


def _border(ppr: Any, side: str, *, sz: int, color: str, space: int = 0) -> None:
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = _el("w:pBdr")
        ppr.append(borders)  # put in schema order by _order_ppr
    borders.append(_el(f"w:{side}", val="single", sz=sz, space=space, color=color))


def _chars(n: float) -> int:
    return round(n * CHAR_PITCH)


def display_width(text: str) -> float:
    """Width in 3号 characters: ASCII (digits, Latin) is half width."""
    return sum(0.5 if ord(ch) < 0x2000 else 1.0 for ch in text)


def line_width(text: str) -> float:
    """Rendered width in 3号 characters: `display_width` plus the quarter-character gap
    Word, WPS and LibreOffice put between Chinese characters and digits or Latin letters."""
    gaps = sum(1 for a, b in itertools.pairwise(text) if (ord(a) < 0x2000) != (ord(b) < 0x2000))
    return display_width(text) + 0.25 * gaps


_YEAR_IN_BRACKETS = re.compile(r"[\[(（【〔［]\s*(\d{4})\s*[\])）】〕］]")


def number_text(number: str) -> str:
    """The 发文字号 with its year in the hexagonal brackets GB/T 9704 prescribes.

    "示督通[2026]7号", "示督通（2026）7号" and "示督通【2026】7号" become "示督通〔2026〕7号".
    """
    return _YEAR_IN_BRACKETS.sub(lambda m: f"〔{m.group(1)}〕", number)


def _date_text(date: datetime.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"
