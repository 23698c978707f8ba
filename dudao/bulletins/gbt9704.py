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
import io
import zipfile
from collections.abc import Sequence
from typing import Any

import docx
from docx.enum.section import WD_SECTION_START
from docx.opc.oxml import serialize_part_xml
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Emu

from dudao.bulletins.docblocks import (
    _blocks,
    _borders,
    _table_row,
    _table_xml,
)
from dudao.bulletins.docmodel import (
    Attachment,
    Block,
    Document,
    Heading,
    Image,
    Paragraph,
    Run,
    Table,
)
from dudao.bulletins.docxml import (
    _FIXED_ZIP_TIME,
    _FONTS,
    _PPR_TAGS,
    BEIJING,
    CHAR_PITCH,
    CHARS_PER_LINE,
    FANGSONG,
    FOOTER_DISTANCE,
    HEITI,
    IMPRINT_W,
    LINE_PITCH,
    LINES_PER_PAGE,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_H,
    PAGE_W,
    RED,
    SIZE_2,
    SIZE_3,
    SIZE_4,
    SONGTI,
    TEXT_W,
    XIAOBIAOSONG,
    _add_run,
    _border,
    _chars,
    _clean,
    _date_text,
    _el,
    _order_ppr,
    _para,
    _run_props,
    _set_fonts,
    display_width,
    line_width,
    number_text,
)

__all__ = [
    "CHARS_PER_LINE",
    "CHAR_PITCH",
    "LINES_PER_PAGE",
    "TEXT_W",
    "_PPR_TAGS",
    "Attachment",
    "Block",
    "Document",
    "Heading",
    "Image",
    "Paragraph",
    "Run",
    "Table",
    "display_width",
    "line_width",
    "number_text",
    "render_docx",
]

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
