"""GB/T 9704-2012 《党政机关公文格式》 .docx writer for bulletins (督查通报, 运行通报).

The writer takes a `Document` (plain frozen dataclasses, no Django) and returns the .docx bytes.

Geometry (GB/T 9704-2012 §5, domain research §6.1/§6.2):

* A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm: a 156 mm × 225 mm 版心.
* 22 lines × 28 characters: a `lines` document grid with a line pitch of 579 twips
  (225 mm / 22 = 28.99 pt, rounded down so 22 lines fit), exact 579-twip line spacing on body
  paragraphs, and 3号 runs condensed by 0.25 pt so 28 characters (441 pt) fill the 442.25 pt
  line. A `linesAndChars` grid with charSpace −842 (the usual Word template) was tried and
  rejected: LibreOffice 7.4 then gives every 16 pt glyph two 15.79 pt grid cells and lays out
  14 characters per line. The render test (tests/test_gbt9704_render.py) checks the result
  in the PDF LibreOffice produces.
* Fonts: every run declares `w:ascii`, `w:hAnsi` and `w:eastAsia` (Word and WPS pick the
  East-Asian slot for Chinese text; without it they fall back to the Latin font). The font
  table lists the Windows names as alternates (仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体, …).
* Page numbers "— N —" 4号 宋体 in the footer, odd pages right (空一字), even pages left.

Output is deterministic: the same Document gives the same bytes (fixed core properties,
fixed zip timestamps, ids numbered in document order), so the SHA-256 of an issued document
can be reproduced from its frozen inputs.
"""

from __future__ import annotations

import datetime
import functools
import io
import itertools
import math
import re
import zipfile
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import docx
from docx.enum.section import WD_SECTION_START
from docx.image.exceptions import UnrecognizedImageError
from docx.opc.oxml import serialize_part_xml
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.oxml.parser import oxml_parser
from docx.shared import Cm, Emu

from dudao.core.exceptions import DomainError

# --- The input model -------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph: 3号仿宋, first line indented two characters."""

    runs: tuple[Run, ...]


@dataclass(frozen=True)
class Heading:
    """A structural heading; `text` includes its numbering ("一、基本情况").

    Level 1 "一、" 黑体, 2 "（一）" 楷体_GB2312, 3 "1." 仿宋 bold, 4 "（1）" 仿宋.
    """

    level: int
    text: str


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


@dataclass(frozen=True)
class Image:
    png: bytes
    width_cm: float  # <= 15.6 (the 版心 width)
    caption: str = ""


Block = Paragraph | Heading | Table | Image


@dataclass(frozen=True)
class Attachment:
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    issuer_mark: str  # 发文机关标志, red 小标宋
    number: str  # 发文字号 "示督通〔2026〕7号" or "第7期"
    title: str
    addressees: str  # 主送机关, may be ""
    blocks: tuple[Block, ...]
    attachments: tuple[Attachment, ...]
    signer_org: str  # 发文机关署名
    date: datetime.date  # 成文日期
    copy_to: str  # 抄送, may be ""
    printer_org: str  # 印发机关
    print_date: datetime.date  # 印发日期
    draft: bool = False


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


# --- Blocks ----------------------------------------------------------------------------------


def _body_paragraph(body: Any, block: Paragraph) -> None:
    p = _para(first_line=_chars(2))
    for run in block.runs:
        if run.text:
            _add_run(p, run.text, FANGSONG, SIZE_3, bold=run.bold)
    body.append(p)


_HEADING_FONTS = {1: (HEITI, False), 2: (KAITI, False), 3: (FANGSONG, True), 4: (FANGSONG, False)}


def _heading(body: Any, block: Heading) -> None:
    font, bold = _HEADING_FONTS.get(block.level, (FANGSONG, False))
    p = _para(first_line=_chars(2), keep_next=True)
    _add_run(p, block.text, font, SIZE_3, bold=bold)
    body.append(p)


def _is_numeric(text: str) -> bool:
    stripped = text.strip().replace(",", "").replace("%", "").replace("—", "")
    stripped = stripped.lstrip("+-−")
    return bool(stripped) and all(ch.isdigit() or ch == "." for ch in stripped)


def _cell_para(text: str, size: float, *, bold: bool, align: str) -> Any:
    p = _para(align=align, line=round(size * 20 * 1.3), snap=False)
    if text:
        _add_run(p, text, FANGSONG, size, bold=bold)
    return p


def _table_xml(tblpr_children: Sequence[Any], widths: Sequence[int]) -> Any:
    tbl = _el("w:tbl")
    tblpr = _el("w:tblPr")
    for child in tblpr_children:
        tblpr.append(child)
    tbl.append(tblpr)
    grid = _el("w:tblGrid")
    for w in widths:
        grid.append(_el("w:gridCol", w=w))
    tbl.append(grid)
    return tbl


def _table_row(cells: Sequence[tuple[int, Any]], *, header: bool = False) -> Any:
    """A w:tr of (width, paragraph) cells; rows never split across pages."""
    tr = _el("w:tr")
    trpr = _el("w:trPr")
    trpr.append(_el("w:cantSplit"))
    if header:
        trpr.append(_el("w:tblHeader"))  # repeated at the top of every page
    tr.append(trpr)
    for width, paragraph in cells:
        tc = _el("w:tc")
        tcpr = _el("w:tcPr")
        tcpr.append(_el("w:tcW", w=width, type="dxa"))
        tcpr.append(_el("w:vAlign", val="center"))
        tc.append(tcpr)
        tc.append(paragraph)
        tr.append(tc)
    return tr


def _borders(**sides: tuple[int, str] | None) -> Any:
    """w:tblBorders from side → (eighths of a point, colour), None for no line."""
    borders = _el("w:tblBorders")
    for side, spec in sides.items():
        if spec is None:
            borders.append(_el(f"w:{side}", val="nil"))
        else:
            borders.append(_el(f"w:{side}", val="single", sz=spec[0], space=0, color=spec[1]))
    return borders


def _column_layout(header: Sequence[str], rows: Sequence[Sequence[str]]) -> tuple[float, list[int]]:
    """Font size and column widths (twips) for a table filling the 版心 width.

    Widths follow the widest entry of each column (capped so one long cell wraps instead of
    squeezing the others); 3号 when the natural widths fit, else 4号.
    """
    natural = [
        min(12.0, max([display_width(header[i])] + [display_width(r[i]) for r in rows]) + 1.0)
        for i in range(len(header))
    ]
    total_chars = sum(natural)
    size = SIZE_3 if total_chars * SIZE_3 * 20 <= TEXT_W else SIZE_4
    widths = [max(1, round(TEXT_W * w / total_chars)) for w in natural]
    widths[-1] += TEXT_W - sum(widths)
    return size, widths


def _cell_align(value: str) -> str:
    if _is_numeric(value) or value.strip() == "—":
        return "right"
    return "left" if display_width(value) > 6 else "center"


def _table(body: Any, block: Table) -> None:
    if not block.header and not block.rows:
        return  # nothing to show: no empty grid, no orphaned title
    ncols = max([len(block.header)] + [len(r) for r in block.rows] + [1])
    header = list(block.header) + [""] * (ncols - len(block.header))
    rows = [list(r) + [""] * (ncols - len(r)) for r in block.rows]
    size, widths = _column_layout(header, rows)
    if block.title:
        p = _para(align="center", keep_next=True)
        _add_run(p, block.title, HEITI, SIZE_3)
        body.append(p)
    thin = (4, "000000")  # 0.5 pt
    tbl = _table_xml(
        [
            _el("w:tblW", w=TEXT_W, type="dxa"),
            _el("w:jc", val="center"),
            _borders(top=thin, left=thin, bottom=thin, right=thin, insideH=thin, insideV=thin),
            _el("w:tblLayout", type="fixed"),
        ],
        widths,
    )
    tbl.append(
        _table_row(
            [
                (w, _cell_para(v, size, bold=True, align="center"))
                for w, v in zip(widths, header, strict=True)
            ],
            header=True,
        )
    )
    for row in rows:
        cells = [
            (w, _cell_para(v, size, bold=False, align=_cell_align(v)))
            for w, v in zip(widths, row, strict=True)
        ]
        tbl.append(_table_row(cells))
    body.append(tbl)
    if block.note:
        p = _para(align="left", line=round(SIZE_4 * 20 * 1.5), snap=False)
        _add_run(p, block.note, FANGSONG, SIZE_4)
        body.append(p)
    else:
        # Word needs a paragraph between consecutive tables; it also separates the table
        # from the following text.
        body.append(_para(line=LINE_PITCH))


def _image(body: Any, docx_doc: Any, block: Image) -> None:
    width_cm = block.width_cm if math.isfinite(block.width_cm) else MAX_IMAGE_CM
    width_cm = min(max(width_cm, 1.0), MAX_IMAGE_CM)
    scratch = docx_doc.add_paragraph()
    run = scratch.add_run()
    try:
        run.add_picture(io.BytesIO(block.png), width=Cm(width_cm))
    except UnrecognizedImageError as exc:
        raise DomainError("通报中的图片无法识别（须为 PNG 或 JPEG 图片）。") from exc
    finally:
        scratch._p.getparent().remove(scratch._p)
    inline_run = run._r
    p = _para(align="center", line=None, snap=False, keep_next=bool(block.caption))
    p.append(inline_run)
    body.append(p)
    if block.caption:
        cap = _para(align="center")
        _add_run(cap, block.caption, FANGSONG, SIZE_3)
        body.append(cap)


def _blocks(body: Any, docx_doc: Any, blocks: Iterable[Block]) -> None:
    for block in blocks:
        if isinstance(block, Paragraph):
            _body_paragraph(body, block)
        elif isinstance(block, Heading):
            _heading(body, block)
        elif isinstance(block, Table):
            _table(body, block)
        else:
            _image(body, docx_doc, block)


# --- 版头, 主体, 版记 ----------------------------------------------------------------------------


def _blank(body: Any, lines: int = 1) -> None:
    for _ in range(lines):
        body.append(_para())


def _mark_size(mark: str) -> float:
    """Point size of the 发文机关标志: large, but never wider than the 版心."""
    width = max(display_width(mark), 1.0)
    return float(min(42, int(TEXT_W / 20 / width / 1.05)))


def _head(body: Any, doc: Document) -> None:
    size = _mark_size(doc.issuer_mark)
    # GB/T 9704 §7.2.2: the mark's upper edge 35 mm below the 版心's upper edge.
    line = round(size * 20 * 1.25)
    before = max(0, round(35 / 25.4 * 1440) - round((line - size * 20) / 2))
    p = _para(align="center", line=line, before=before, snap=False)
    _add_run(p, doc.issuer_mark or " ", XIAOBIAOSONG, size, color=RED)
    body.append(p)
    _blank(body, 2)  # 发文字号: 发文机关标志下空二行
    p = _para(align="center")
    _add_run(p, number_text(doc.number), FANGSONG, SIZE_3)
    # The red separator, 4 mm below the 发文字号, as wide as the 版心 (a paragraph border).
    _border(p.find(qn("w:pPr")), "bottom", sz=12, color=RED, space=11)
    body.append(p)
    _blank(body, 2)  # 标题: 红色分隔线下空二行
    p = _para(align="center", line=round(SIZE_2 * 20 * 1.5), snap=False)
    _add_run(p, doc.title, XIAOBIAOSONG, SIZE_2)
    body.append(p)
    _blank(body, 1)  # 主送机关: 标题下空一行
    if doc.addressees.strip():
        text = doc.addressees.strip().rstrip("：:") + "："
        p = _para(align="both")
        _add_run(p, text, FANGSONG, SIZE_3)
        body.append(p)


def _attachment_note(body: Any, attachments: Sequence[Attachment]) -> None:
    """附件说明: 正文下空一行左空二字 "附件：1．…", names aligned, no trailing punctuation."""
    _blank(body, 1)
    if len(attachments) == 1:
        p = _para(left=_chars(2 + 3), hanging=_chars(3), align="both")
        _add_run(p, "附件：" + attachments[0].title.rstrip("。．."), FANGSONG, SIZE_3)
        body.append(p)
        return
    for i, att in enumerate(attachments, start=1):
        number = f"{i}．"
        number_w = display_width(number)
        if i == 1:
            p = _para(left=_chars(2 + 3 + number_w), hanging=_chars(3 + number_w))
            text = "附件：" + number + att.title.rstrip("。．.")
        else:
            p = _para(left=_chars(2 + 3 + number_w), hanging=_chars(number_w))
            text = number + att.title.rstrip("。．.")
        _add_run(p, text, FANGSONG, SIZE_3)
        body.append(p)


def _keep_together(body: Any, *, first: int) -> None:
    """Keep the last body paragraph, the 附件说明 and the 署名 with the 成文日期 on one page.

    GB/T 9704 §7.3.5.4 forbids a page carrying only the signature and date ("此页无正文"):
    when they do not fit, the last lines of the body move to the next page with them.
    """
    children = list(body)
    for p in children[first:-1]:
        if p.tag != qn("w:p"):
            continue
        ppr = p.find(qn("w:pPr"))
        if ppr.find(qn("w:keepNext")) is None:
            ppr.insert(0, _el("w:keepNext"))


def _signature(body: Any, doc: Document) -> None:
    """发文机关署名 centred above the 成文日期, which is 右空四字 (GB/T 9704 §7.3.5.1)."""
    _blank(body, 2)  # room for the seal (印章上距正文一行之内)
    date = _date_text(doc.date)
    date_w = line_width(date)
    sig_w = line_width(doc.signer_org)
    sig_right = max(2.0, 4 + (date_w - sig_w) / 2)
    p = _para(align="right", right=_chars(sig_right), keep_next=True)
    _add_run(p, doc.signer_org, FANGSONG, SIZE_3)
    body.append(p)
    p = _para(align="right", right=_chars(4))
    _add_run(p, date, FANGSONG, SIZE_3)
    body.append(p)


def _imprint_paragraphs(doc: Document) -> list[Any]:
    """抄送 (左右各空一字, 回行与冒号后首字对齐) and 印发机关 左空一字 / 印发日期 右空一字, 4号."""
    line = round(SIZE_4 * 20 * 1.9)
    paras = []
    if doc.copy_to.strip():
        text = "抄送：" + doc.copy_to.strip().rstrip("。.") + "。"
        label = round(SIZE_4 * 20 * 3)  # "抄送：" is three 4号 characters
        p = _para(align="both", left=_chars(1) + label, hanging=label, right=_chars(1), line=line)
        _add_run(p, text, FANGSONG, SIZE_4)
        paras.append(p)
    p = _para(align="left", left=_chars(1), right=_chars(1), line=line, snap=False)
    tabs = _el("w:tabs")
    tabs.append(_el("w:tab", val="right", pos=IMPRINT_W - _chars(1)))
    p.find(qn("w:pPr")).append(tabs)
    _add_run(p, doc.printer_org, FANGSONG, SIZE_4)
    r = _el("w:r")
    r.append(_run_props(FANGSONG, SIZE_4))
    r.append(_el("w:tab"))
    p.append(r)
    _add_run(p, _date_text(doc.print_date) + "印发", FANGSONG, SIZE_4)
    paras.append(p)
    for p in paras:
        ppr = p.find(qn("w:pPr"))
        if ppr.find(qn("w:snapToGrid")) is None:
            ppr.append(_el("w:snapToGrid", val=0))
    return paras


def _imprint(body: Any, doc: Document) -> None:
    """版记: 抄送 and 印发机关/印发日期 between a thick, a thin and a thick black line.

    A one-column table floated to the bottom of the 版心 (GB/T 9704 §7.4: the last line
    coincides with the 版心's lower edge), so it sits at the foot of the last page.
    """
    tbl = _table_xml(
        [
            _el(
                "w:tblpPr",
                vertAnchor="margin",
                horzAnchor="page",
                tblpX=MARGIN_LEFT,
                tblpYSpec="bottom",
            ),
            _el("w:tblOverlap", val="never"),
            _el("w:tblW", w=IMPRINT_W, type="dxa"),
            _borders(
                top=(8, "000000"),  # 0.35 mm
                left=None,
                bottom=(8, "000000"),
                right=None,
                insideH=(6, "000000"),  # 0.25 mm
                insideV=None,
            ),
            _el("w:tblLayout", type="fixed"),
            _cell_margins_zero(),
        ],
        [IMPRINT_W],
    )
    for p in _imprint_paragraphs(doc):
        tbl.append(_table_row([(IMPRINT_W, p)]))
    body.append(tbl)
    # A document must end with a paragraph; 1 pt high so it never adds a page.
    body.append(_para(line=20, snap=False))


def _cell_margins_zero() -> Any:
    margins = _el("w:tblCellMar")
    margins.append(_el("w:left", w=0, type="dxa"))
    margins.append(_el("w:right", w=0, type="dxa"))
    return margins


def _draft_mark(body: Any) -> None:
    p = _para(align="left", snap=False)
    _add_run(p, "（草稿，未签发）", HEITI, SIZE_3, color=RED)
    body.append(p)


# --- Section, footers, styles, package -------------------------------------------------------


def _page_number_footer(footer: Any, *, odd: bool) -> None:
    ftr = footer._element
    for child in list(ftr):
        ftr.remove(child)
    one = round(SIZE_4 * 20)
    p = _para(
        align="right" if odd else "left",
        right=one if odd else 0,
        left=0 if odd else one,
        line=round(SIZE_4 * 20 * 1.2),
        snap=False,
    )
    _add_run(p, "— ", SONGTI, SIZE_4)
    begin = _el("w:r")
    begin.append(_run_props(SONGTI, SIZE_4))
    begin.append(_el("w:fldChar", fldCharType="begin"))
    p.append(begin)
    instr = _el("w:r")
    instr.append(_run_props(SONGTI, SIZE_4))
    it = _el("w:instrText")
    it.text = " PAGE "
    it.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.append(it)
    p.append(instr)
    sep = _el("w:r")
    sep.append(_run_props(SONGTI, SIZE_4))
    sep.append(_el("w:fldChar", fldCharType="separate"))
    p.append(sep)
    _add_run(p, "1", SONGTI, SIZE_4)
    end = _el("w:r")
    end.append(_run_props(SONGTI, SIZE_4))
    end.append(_el("w:fldChar", fldCharType="end"))
    p.append(end)
    _add_run(p, " —", SONGTI, SIZE_4)
    ftr.append(p)


def _setup_section(docx_doc: Any) -> None:
    section = docx_doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width = Emu(PAGE_W * 635)
    section.page_height = Emu(PAGE_H * 635)
    section.top_margin = Emu(MARGIN_TOP * 635)
    section.bottom_margin = Emu(MARGIN_BOTTOM * 635)
    section.left_margin = Emu(MARGIN_LEFT * 635)
    section.right_margin = Emu(MARGIN_RIGHT * 635)
    section.header_distance = Emu(851 * 635)  # 15 mm
    section.footer_distance = Emu(FOOTER_DISTANCE * 635)
    section.gutter = Emu(0)
    sect_pr = section._sectPr
    for old in sect_pr.findall(qn("w:docGrid")):
        sect_pr.remove(old)
    sect_pr.append(_el("w:docGrid", type="lines", linePitch=LINE_PITCH))
    docx_doc.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section.footer, odd=True)
    _page_number_footer(section.even_page_footer, odd=False)


def _setup_styles(docx_doc: Any) -> None:
    styles = docx_doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    for child in list(rpr):
        rpr.remove(child)
    rpr.append(_el("w:rFonts", ascii=FANGSONG, hAnsi=FANGSONG, eastAsia=FANGSONG, cs=FANGSONG))
    rpr.append(_el("w:kern", val=2))
    rpr.append(_el("w:sz", val=32))
    rpr.append(_el("w:szCs", val=32))
    rpr.append(_el("w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA"))
    normal = docx_doc.styles["Normal"]
    nrpr = normal.element.get_or_add_rPr()
    _set_fonts(nrpr, FANGSONG)
    normal.font.size = Emu(16 * 12700)
    normal.paragraph_format.space_after = Emu(0)


def _setup_font_table(docx_doc: Any) -> None:
    part = docx_doc.part
    font_part = None
    for rel in part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            font_part = rel.target_part
    if font_part is None:  # pragma: no cover - python-docx's template always has one
        return
    root = parse_xml(font_part.blob)
    for name, (alt, panose) in _FONTS.items():
        font = _el("w:font", name=name)
        font.append(_el("w:altName", val=alt))
        font.append(_el("w:panose1", val=panose))
        font.append(_el("w:charset", val="86"))  # GB2312
        font.append(_el("w:family", val="modern"))
        font.append(_el("w:pitch", val="fixed"))
        root.append(font)
    font_part._blob = serialize_part_xml(root)


def _set_core_properties(docx_doc: Any, doc: Document) -> None:
    props = docx_doc.core_properties
    # Midnight of the 成文日期 in Beijing time, stored as UTC (dcterms:created is W3CDTF "Z").
    local = datetime.datetime(doc.date.year, doc.date.month, doc.date.day, tzinfo=BEIJING)
    moment = local.astimezone(datetime.UTC)
    props.created = moment
    props.modified = moment
    props.last_printed = moment
    props.revision = 1
    props.author = _property(doc.signer_org)
    props.last_modified_by = _property(doc.signer_org)
    props.title = _property(doc.title)
    props.subject = _property(doc.number)
    props.keywords = ""
    props.comments = ""
    props.category = "草稿" if doc.draft else ""
    props.language = "zh-CN"


def _property(text: str) -> str:
    """A core property value: one line, XML-safe, within python-docx's 255-character limit."""
    return " ".join(_clean(text).split())[:255]


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite the package with fixed timestamps and order so equal input gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def render_docx(doc: Document) -> bytes:
    """The GB/T 9704-2012 .docx of `doc`, byte-for-byte reproducible."""
    docx_doc = docx.Document()
    _setup_styles(docx_doc)
    _setup_font_table(docx_doc)
    _setup_section(docx_doc)
    body = docx_doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    sect_pr = body.find(qn("w:sectPr"))
    body.remove(sect_pr)  # appended again at the end: the body is built in document order
    holder = body

    if doc.draft:
        _draft_mark(holder)
    _head(holder, doc)
    _blocks(holder, docx_doc, doc.blocks)
    tail_start = max(len(holder) - 1, 0)
    if doc.attachments:
        _attachment_note(holder, doc.attachments)
    _signature(holder, doc)
    _keep_together(holder, first=tail_start)
    for i, att in enumerate(doc.attachments, start=1):
        # Each attachment starts on a new page: "附件" (+ number) 黑体 top left, its title
        # centred 2号小标宋 one line below, then its content.
        p = _para(align="left", page_break=True)
        label = "附件" if len(doc.attachments) == 1 else f"附件{i}"
        _add_run(p, label, HEITI, SIZE_3)
        holder.append(p)
        _blank(holder, 1)
        p = _para(align="center", line=round(SIZE_2 * 20 * 1.5), snap=False)
        _add_run(p, att.title, XIAOBIAOSONG, SIZE_2)
        holder.append(p)
        _blank(holder, 1)
        _blocks(holder, docx_doc, att.blocks)
    _imprint(holder, doc)

    _order_ppr(holder)
    body.append(sect_pr)
    _set_core_properties(docx_doc, doc)
    out = io.BytesIO()
    docx_doc.save(out)
    return _normalise_zip(out.getvalue())
