"""Render check: a generated multi-page bulletin, laid out by LibreOffice, read back from the PDF.

The .docx XML says what we asked for; this test checks what a reader gets: A4 pages, every
word inside the 156 mm × 225 mm 版心, a full body page of 22 lines of at most 28 characters,
page numbers "— N —" below the 版心 on alternating sides, the 版记 at the foot of the last page
and the 公文 font names drawn with the aliased CJK faces. It uses poppler's pdftotext,
pdfinfo and pdffonts (Debian poppler-utils, installed by .ci/run with LibreOffice).

In CI this test must run. Locally, without LibreOffice it fails with a clear message; set
DUDAO_ALLOW_NO_LIBREOFFICE=1 to skip it instead.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dudao.bulletins import gbt9704 as g
from dudao.bulletins.charts import bar_chart_png
from dudao.bulletins.pdf import docx_to_pdf, pdf_available
from dudao.bulletins.tests import samples

MM = 72 / 25.4  # PDF points per millimetre
PAGE_W, PAGE_H = 210, 297
TOP, BOTTOM, LEFT, RIGHT = 37, 35, 28, 26
TOLERANCE = 1.0  # mm (GB/T 9704: ±1 mm for the margins)


@dataclass(frozen=True)
class Word:
    page: int
    x0: float  # mm from the left edge
    y0: float  # mm from the top edge
    x1: float
    y1: float
    text: str


@dataclass(frozen=True)
class Rendered:
    pages: int
    page_size: tuple[float, float]  # mm
    words: tuple[Word, ...]
    layout: tuple[str, ...]  # pdftotext -layout, one string per page
    fonts: str


def poppler(*args: str) -> str:
    tool = shutil.which(args[0])
    assert tool, f"{args[0]} 未安装（Debian 软件包 poppler-utils）"
    done = subprocess.run(  # noqa: S603 - poppler with fixed arguments
        [tool, *args[1:]], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def read_pdf(path: Path) -> Rendered:
    info = poppler("pdfinfo", str(path))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    assert size is not None
    words: list[Word] = []
    page = 0
    for line in poppler("pdftotext", "-bbox", str(path), "-").splitlines():
        if "<page " in line:
            page += 1
        found = re.search(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>',
            line,
        )
        if found:
            x0, y0, x1, y1 = (float(found.group(i)) / MM for i in range(1, 5))
            words.append(Word(page, x0, y0, x1, y1, found.group(5)))
    layout = tuple(
        poppler("pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-")
        for n in range(1, pages + 1)
    )
    return Rendered(
        pages=pages,
        page_size=(float(size.group(1)) / MM, float(size.group(2)) / MM),
        words=tuple(words),
        layout=layout,
        fonts=poppler("pdffonts", str(path)),
    )


def bulletin() -> g.Document:
    chart = bar_chart_png(
        "各县（市、区）投资完成率",
        [f"示范第{i}县" for i in range(1, 7)],
        [83.3, 79.1, None, 64.0, -2.5, 0],
        "%",
    )
    blocks: tuple[g.Block, ...] = (
        samples.ranking_table(),
        g.Image(png=chart, width_cm=15.6, caption="图1 各县（市、区）投资完成率"),
    )
    attachments = (
        g.Attachment(title="各县（市、区）投资完成情况排名表", blocks=(samples.ranking_table(45),)),
    )
    return samples.bulletin(paragraphs=14, blocks=blocks, attachments=attachments)


@pytest.fixture(scope="module")
def rendered() -> Iterator[Rendered]:
    if not pdf_available():
        if os.environ.get("DUDAO_ALLOW_NO_LIBREOFFICE") == "1":
            pytest.skip("未安装 LibreOffice，已按 DUDAO_ALLOW_NO_LIBREOFFICE=1 跳过排版检查")
        pytest.fail(
            "未找到 LibreOffice（soffice）：排版检查必须运行。请安装 libreoffice-writer-nogui "
            "poppler-utils fonts-noto-cjk fonts-arphic-gkai00mp（.ci/run 会安装），或在本机设置 "
            "DUDAO_ALLOW_NO_LIBREOFFICE=1 跳过。"
        )
    pdf = docx_to_pdf(g.render_docx(bulletin()))
    assert pdf.startswith(b"%PDF")
    with tempfile.TemporaryDirectory(prefix="dudao-render-") as tmp:
        path = Path(tmp) / "bulletin.pdf"
        path.write_bytes(pdf)
        yield read_pdf(path)


@pytest.fixture(scope="module")
def rendered_odd(rendered: Rendered) -> Iterator[Rendered]:
    """The odd sample (overlong title, mark and signer, long Latin strings) laid out too."""
    pdf = docx_to_pdf(g.render_docx(samples.odd_document()))
    with tempfile.TemporaryDirectory(prefix="dudao-render-") as tmp:
        path = Path(tmp) / "odd.pdf"
        path.write_bytes(pdf)
        yield read_pdf(path)


def is_footer(word: Word) -> bool:
    return word.y0 > PAGE_H - BOTTOM


def body_lines(rendered: Rendered, page: int) -> list[str]:
    """The text lines of a page's 版心, spaces removed (pdftotext pads Latin and digits)."""
    lines = [ln for ln in rendered.layout[page - 1].splitlines() if ln.strip()]
    if lines and re.fullmatch(r"\s*—\s*\d+\s*—\s*", lines[-1]):
        lines = lines[:-1]
    return [re.sub(r"\s+", "", ln) for ln in lines]


def test_pages_are_a4(rendered: Rendered) -> None:
    assert rendered.pages >= 5
    width, height = rendered.page_size
    assert abs(width - PAGE_W) < 0.5
    assert abs(height - PAGE_H) < 0.5


def assert_inside_text_block(rendered: Rendered) -> None:
    body = [w for w in rendered.words if not is_footer(w)]
    assert body
    assert min(w.x0 for w in body) >= LEFT - TOLERANCE
    assert max(w.x1 for w in body) <= PAGE_W - RIGHT + TOLERANCE
    assert min(w.y0 for w in body) >= TOP - TOLERANCE
    assert max(w.y1 for w in body) <= PAGE_H - BOTTOM + TOLERANCE


def test_odd_input_stays_inside_the_text_block(rendered_odd: Rendered) -> None:
    assert_inside_text_block(rendered_odd)
    text = "".join(rendered_odd.layout)
    assert "（草稿，未签发）" in text
    assert "印发" in rendered_odd.layout[-1]


def test_every_word_sits_inside_the_text_block(rendered: Rendered) -> None:
    assert_inside_text_block(rendered)
    body = [w for w in rendered.words if not is_footer(w)]
    assert len(body) > 300
    left = min(w.x0 for w in body)
    right = max(w.x1 for w in body)
    top = min(w.y0 for w in body)
    bottom = max(w.y1 for w in body)
    assert left >= LEFT - TOLERANCE, left
    assert right <= PAGE_W - RIGHT + TOLERANCE, right
    assert top >= TOP - TOLERANCE, top
    assert bottom <= PAGE_H - BOTTOM + TOLERANCE, bottom
    # Full lines reach both edges of the 版心 (撑满版心).
    assert abs(left - LEFT) < TOLERANCE
    assert abs(right - (PAGE_W - RIGHT)) < TOLERANCE


def test_a_full_body_page_holds_22_lines_of_at_most_28_characters(rendered: Rendered) -> None:
    lines = body_lines(rendered, 2)  # page 2: body text only
    assert len(lines) == g.LINES_PER_PAGE, lines
    widths = [g.display_width(line) for line in lines]
    assert max(widths) <= g.CHARS_PER_LINE, lines
    assert widths.count(g.CHARS_PER_LINE) >= 10  # full lines hold exactly 28
    # The lines are evenly spaced at 28.95 pt and span the 225 mm 版心.
    tops = sorted({round(w.y0, 1) for w in rendered.words if w.page == 2 and not is_footer(w)})
    assert len(tops) == g.LINES_PER_PAGE
    pitches = [b - a for a, b in itertools.pairwise(tops)]
    assert all(abs(p - 579 / 20 / MM) < 0.2 for p in pitches), pitches
    assert tops[0] - TOP < 3
    assert PAGE_H - BOTTOM - (tops[-1] + 579 / 20 / MM) < 3


def test_page_numbers_alternate_sides_below_the_text_block(rendered: Rendered) -> None:
    for page in range(1, rendered.pages + 1):
        footer = [w for w in rendered.words if w.page == page and is_footer(w)]
        assert "".join(w.text for w in footer) == f"—{page}—", page
        last_line = rendered.layout[page - 1].rstrip().splitlines()[-1]
        assert re.sub(r"\s+", "", last_line) == f"—{page}—"
        start, end = min(w.x0 for w in footer), max(w.x1 for w in footer)
        one_char = 14 / MM  # 空一字: one 4号 character
        if page % 2:
            assert abs((PAGE_W - RIGHT - end) - one_char) < TOLERANCE, (page, end)
        else:
            assert abs((start - LEFT) - one_char) < TOLERANCE, (page, start)
        # The dash's middle lies about 7 mm below the 版心 (一字线上距版心下边缘 7 mm).
        dash = footer[0]
        middle = (dash.y0 + dash.y1) / 2
        assert 5.5 <= middle - (PAGE_H - BOTTOM) <= 8.5, middle


def test_table_header_repeats_on_the_next_page(rendered: Rendered) -> None:
    pages_with_rows = [
        n
        for n in range(1, rendered.pages + 1)
        if any(re.search(r"示范第\d+县", ln) for ln in body_lines(rendered, n))
    ]
    assert len(pages_with_rows) >= 3  # the body table and the attachment's two pages
    for n in pages_with_rows:
        lines = body_lines(rendered, n)
        assert any(ln.startswith("排名县（市、区）") for ln in lines), (n, lines[:3])


def test_imprint_is_at_the_foot_of_the_last_page(rendered: Rendered) -> None:
    last = [w for w in rendered.words if w.page == rendered.pages and not is_footer(w)]
    issued = [w for w in last if w.text.endswith("印发")]
    assert issued, "版记不在最后一页"
    assert PAGE_H - BOTTOM - issued[0].y1 < 5  # on the last line of the 版心
    copy_to = [w for w in last if w.text.startswith("抄送")]
    assert copy_to
    assert copy_to[0].y0 < issued[0].y0
    assert abs(copy_to[0].x0 - (LEFT + g.CHAR_PITCH / 20 / MM)) < TOLERANCE  # 左空一字


def test_first_page_carries_the_head_in_order(rendered: Rendered) -> None:
    first = [w for w in rendered.words if w.page == 1]

    def top_of(fragment: str) -> float:
        return next(w.y0 for w in first if fragment in w.text)

    assert top_of("示范市人民政府督查室") < top_of("示督通") < top_of("关于") < top_of("各县")
    # GB/T 9704 §7.2.2: the issuer mark's upper edge about 35 mm below the 版心's upper edge.
    assert 30 <= top_of("示范市人民政府督查室") - TOP <= 40


def test_signer_is_centred_above_the_date_which_ends_four_characters_from_the_edge(
    rendered: Rendered,
) -> None:
    dates = [w for w in rendered.words if w.text.startswith("2026年12月7") or w.text == "2026"]
    lines: dict[tuple[int, float], list[Word]] = {}
    for w in rendered.words:
        lines.setdefault((w.page, round(w.y0, 1)), []).append(w)
    date_line = next(ws for ws in lines.values() if "".join(w.text for w in ws) == "2026年12月7日")
    assert dates
    date_start, date_end = min(w.x0 for w in date_line), max(w.x1 for w in date_line)
    four_chars = 4 * g.CHAR_PITCH / 20 / MM
    assert abs((PAGE_W - RIGHT - date_end) - four_chars) < TOLERANCE
    page, top = date_line[0].page, date_line[0].y0
    signer = next(
        ws
        for (p, y), ws in lines.items()
        if p == page and y < top and "".join(w.text for w in ws) == "示范市人民政府督查室"
    )
    signer_middle = (min(w.x0 for w in signer) + max(w.x1 for w in signer)) / 2
    assert abs(signer_middle - (date_start + date_end) / 2) < 3


def test_the_gongwen_fonts_are_drawn_with_the_aliased_cjk_faces(rendered: Rendered) -> None:
    fonts = rendered.fonts
    assert "NotoSerifCJK" in fonts  # 仿宋_GB2312, 宋体, 方正小标宋简体
    assert "NotoSansCJK" in fonts  # 黑体
    assert "Bold" in fonts  # 方正小标宋简体 → Noto Serif CJK SC Bold
    assert "Kai" in fonts  # 楷体_GB2312 → AR PL KaitiM GB
    assert "DejaVu" not in fonts
