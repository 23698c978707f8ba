"""The body blocks of a GB/T 9704 bulletin in WordprocessingML: paragraphs, the four heading
levels, tables (widths from their text, header row repeated) and images."""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from typing import Any

from docx.image.exceptions import UnrecognizedImageError
from docx.shared import Cm

from dudao.bulletins.docmodel import (
    Block,
    Heading,
    Image,
    Paragraph,
    Table,
)
from dudao.bulletins.docxml import (
    FANGSONG,
    HEITI,
    KAITI,
    LINE_PITCH,
    MAX_IMAGE_CM,
    SIZE_3,
    SIZE_4,
    TEXT_W,
    _add_run,
    _chars,
    _el,
    _para,
    display_width,
)
from dudao.core.exceptions import DomainError

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
