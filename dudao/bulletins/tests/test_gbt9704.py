"""The GB/T 9704-2012 .docx writer, checked from the package's XML."""

from __future__ import annotations

import hashlib
import io
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import replace

import docx
import pytest

from dudao.bulletins import gbt9704 as g
from dudao.bulletins.charts import bar_chart_png
from dudao.bulletins.tests import samples
from dudao.core.exceptions import DomainError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"


def part(data: bytes, name: str) -> ET.Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return ET.fromstring(package.read(name))  # noqa: S314 - our own generated package


def attr(element: ET.Element | None, name: str) -> str | None:
    assert element is not None
    return element.get(W + name)


def text_of(element: ET.Element) -> str:
    return "".join(t.text or "" for t in element.iter(W + "t"))


def paragraphs(root: ET.Element) -> list[ET.Element]:
    return list(root.iter(W + "p"))


def paragraph_with(root: ET.Element, text: str) -> ET.Element:
    found = [p for p in paragraphs(root) if text in text_of(p)]
    assert found, f"no paragraph contains {text!r}"
    return found[0]


def run_fonts(p: ET.Element) -> set[tuple[str | None, ...]]:
    return {
        (attr(f, "ascii"), attr(f, "hAnsi"), attr(f, "eastAsia"))
        for r in p.iter(W + "r")
        for f in r.iter(W + "rFonts")
    }


def run_size(p: ET.Element) -> set[str | None]:
    return {attr(sz, "val") for r in p.iter(W + "r") for sz in r.iter(W + "sz")}


@pytest.fixture(scope="module")
def full() -> bytes:
    chart = bar_chart_png("各县（市、区）完成率", ["示范一县", "示范二县"], [83.3, None], "%")
    blocks: tuple[g.Block, ...] = (
        samples.ranking_table(),
        g.Image(png=chart, width_cm=15.0, caption="图1 各县（市、区）完成率"),
    )
    attachments = (
        g.Attachment(
            title="各县（市、区）投资完成情况排名表。", blocks=(samples.ranking_table(30),)
        ),
        g.Attachment(title="红黄绿灯清单", blocks=()),
    )
    return g.render_docx(samples.bulletin(blocks=blocks, attachments=attachments))


@pytest.fixture(scope="module")
def body(full: bytes) -> ET.Element:
    return part(full, "word/document.xml")


def test_page_is_a4_with_the_gbt9704_margins_and_a_22_line_grid(body: ET.Element) -> None:
    sect = body.find(f"{W}body/{W}sectPr")
    assert sect is not None
    assert (attr(sect.find(W + "pgSz"), "w"), attr(sect.find(W + "pgSz"), "h")) == (
        "11906",
        "16838",
    )
    margins = sect.find(W + "pgMar")
    # 37 / 35 / 28 / 26 mm in twips: the 版心 is 156 mm × 225 mm.
    assert [attr(margins, k) for k in ("top", "bottom", "left", "right")] == [
        "2098",
        "1984",
        "1587",
        "1474",
    ]
    assert abs((11906 - 1587 - 1474) - 156 / 25.4 * 1440) < 1
    grid = sect.find(W + "docGrid")
    assert attr(grid, "type") == "lines"
    assert attr(grid, "linePitch") == "579"
    assert 22 * 579 <= 16838 - 2098 - 1984 < 23 * 579  # 22 lines fill the 225 mm 版心
    # Body paragraphs have exact 28.95 pt line spacing and 3号 runs condensed to 28 per line.
    p = paragraph_with(body, "全市重大项目建设总体平稳有序")
    spacing = p.find(f"{W}pPr/{W}spacing")
    assert (attr(spacing, "line"), attr(spacing, "lineRule")) == ("579", "exact")
    assert 28 * (16 - 0.25) * 20 <= 11906 - 1587 - 1474


def test_every_run_declares_the_font_for_east_asian_text(full: bytes) -> None:
    names = ["word/document.xml", "word/footer1.xml", "word/footer2.xml"]
    styles = part(full, "word/styles.xml")
    normal = next(s for s in styles.iter(W + "style") if attr(s, "styleId") == "Normal")
    defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    assert defaults is not None
    checked = 0
    elements = [defaults, *normal.iter(W + "rFonts")]
    for name in names:
        elements += part(full, name).iter(W + "rFonts")
    for fonts in elements:
        values = {attr(fonts, "ascii"), attr(fonts, "hAnsi"), attr(fonts, "eastAsia")}
        assert len(values) == 1
        assert None not in values
        checked += 1
    lang = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert attr(lang, "eastAsia") == "zh-CN"
    assert checked > 100
    font_table = part(full, "word/fontTable.xml")
    alternates = {
        attr(f, "name"): attr(f.find(W + "altName"), "val")
        for f in font_table.iter(W + "font")
        if f.find(W + "altName") is not None
    }
    assert alternates["仿宋_GB2312"] == "仿宋"
    assert alternates["楷体_GB2312"] == "楷体"


def test_body_title_and_headings_use_the_prescribed_fonts(body: ET.Element) -> None:
    fangsong = ("仿宋_GB2312",) * 3
    p = paragraph_with(body, "截至11月底完成投资904.6亿元")
    assert run_fonts(p) == {fangsong}
    assert run_size(p) == {"32"}  # 3号 = 16 pt
    assert attr(p.find(f"{W}pPr/{W}ind"), "firstLine") == str(round(2 * g.CHAR_PITCH))
    title = paragraph_with(body, "关于2026年11月全市重大项目建设进展情况的通报")
    assert run_fonts(title) == {("方正小标宋简体",) * 3}
    assert run_size(title) == {"44"}  # 2号 = 22 pt
    assert attr(title.find(f"{W}pPr/{W}jc"), "val") == "center"
    expected = {
        "一、基本情况": ("黑体", False),
        "（一）总体进展": ("楷体_GB2312", False),
        "1.投资完成情况": ("仿宋_GB2312", True),
        "（1）分类别情况": ("仿宋_GB2312", False),
    }
    for text, (font, bold) in expected.items():
        p = paragraph_with(body, text)
        assert run_fonts(p) == {(font,) * 3}, text
        assert run_size(p) == {"32"}
        assert (p.find(f"{W}r/{W}rPr/{W}b") is not None) is bold, text
        assert p.find(f"{W}pPr/{W}keepNext") is not None


def test_red_issuer_mark_number_with_hexagonal_brackets_and_red_separator(
    body: ET.Element,
) -> None:
    mark = paragraph_with(body, "示范市人民政府督查室")
    assert run_fonts(mark) == {("方正小标宋简体",) * 3}
    assert {attr(c, "val") for c in mark.iter(W + "color")} == {"FF0000"}
    assert int(next(iter(run_size(mark))) or 0) >= 60  # large, centred
    assert attr(mark.find(f"{W}pPr/{W}jc"), "val") == "center"
    number = paragraph_with(body, "示督通〔2026〕7号")
    separator = number.find(f"{W}pPr/{W}pBdr/{W}bottom")
    assert attr(separator, "color") == "FF0000"
    assert attr(separator, "val") == "single"
    # The mark comes before the number, the number before the title.
    texts = [text_of(p) for p in paragraphs(body)]
    assert texts.index("示范市人民政府督查室") < texts.index("示督通〔2026〕7号")
    assert texts.index("示督通〔2026〕7号") < texts.index(
        "关于2026年11月全市重大项目建设进展情况的通报"
    )
    assert "各县（市、区）人民政府，市直有关单位：" in texts


def test_page_numbers_alternate_sides_in_4hao_songti(full: bytes, body: ET.Element) -> None:
    settings = part(full, "word/settings.xml")
    assert settings.find(W + "evenAndOddHeaders") is not None
    sect = body.find(f"{W}body/{W}sectPr")
    assert sect is not None
    refs = {attr(r, "type") for r in sect.iter(W + "footerReference")}
    assert refs == {"default", "even"}
    sides = {}
    for name in ("word/footer1.xml", "word/footer2.xml"):
        footer = part(full, name)
        p = paragraphs(footer)[0]
        assert text_of(p).replace("1", "N") == "— N —"
        assert "PAGE" in "".join(t.text or "" for t in footer.iter(W + "instrText"))
        assert run_fonts(p) == {("宋体",) * 3}
        assert run_size(p) == {"28"}  # 4号 = 14 pt
        ind = p.find(f"{W}pPr/{W}ind")
        sides[attr(p.find(f"{W}pPr/{W}jc"), "val")] = (attr(ind, "left"), attr(ind, "right"))
    # Odd pages: right, 空一字; even pages: left, 空一字 (one 4号 character = 280 twips).
    assert sides == {"right": ("0", "280"), "left": ("280", "0")}


def test_attachment_note_signature_date_and_imprint(body: ET.Element) -> None:
    texts = [text_of(p) for p in paragraphs(body)]
    # 附件说明: numbered, the name without its trailing full stop.
    assert "附件：1．各县（市、区）投资完成情况排名表" in texts
    assert "2．红黄绿灯清单" in texts
    signer = texts.index("示范市人民政府督查室", texts.index("2．红黄绿灯清单"))
    assert texts[signer + 1] == "2026年12月7日"  # 成文日期 in Arabic numerals
    date = paragraph_with(body, "2026年12月7日")
    assert attr(date.find(f"{W}pPr/{W}jc"), "val") == "right"
    assert attr(date.find(f"{W}pPr/{W}ind"), "right") == str(round(4 * g.CHAR_PITCH))  # 右空四字
    # The 署名 and 成文日期 never stand alone on a page: the paragraphs from the last body
    # block to the date are kept together.
    all_paragraphs = paragraphs(body)
    first = all_paragraphs.index(paragraph_with(body, "图1 各县（市、区）完成率"))
    last = all_paragraphs.index(date)
    for p in all_paragraphs[first:last]:
        assert p.find(f"{W}pPr/{W}keepNext") is not None, text_of(p)
    assert date.find(f"{W}pPr/{W}keepNext") is None
    # Each attachment starts a new page with its label.
    for label in ("附件1", "附件2"):
        p = paragraph_with(body, label)
        assert text_of(p) == label
        assert p.find(f"{W}pPr/{W}pageBreakBefore") is not None
    # 版记: the last table, floated to the bottom of the 版心, thick-thin-thick black lines.
    imprint = list(body.iter(W + "tbl"))[-1]
    position = imprint.find(f"{W}tblPr/{W}tblpPr")
    assert attr(position, "tblpYSpec") == "bottom"
    assert attr(position, "vertAnchor") == "margin"
    borders = imprint.find(f"{W}tblPr/{W}tblBorders")
    assert borders is not None
    assert [attr(borders.find(W + s), "sz") for s in ("top", "insideH", "bottom")] == [
        "8",
        "6",
        "8",
    ]
    rows = [text_of(tr) for tr in imprint.iter(W + "tr")]
    assert rows == [
        "抄送：市委办公室，市人大常委会办公室，市政协办公室。",
        "示范市人民政府督查室2026年12月8日印发",
    ]


def test_tables_repeat_their_header_and_choose_3hao_or_4hao(body: ET.Element) -> None:
    tables = list(body.iter(W + "tbl"))[:-1]
    assert len(tables) == 2
    for tbl in tables:
        rows = list(tbl.iter(W + "tr"))
        assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
        assert all(r.find(f"{W}trPr/{W}tblHeader") is None for r in rows[1:])
        assert rows[0].find(f".//{W}b") is not None  # header bold
        widths = [int(attr(c, "w") or 0) for c in tbl.iter(W + "gridCol")]
        assert sum(widths) == g.TEXT_W
    assert {s for r in tables[0].iter(W + "r") for s in run_size(r)} == {"28"}  # wide: 4号
    narrow = g.render_docx(
        samples.bulletin(
            paragraphs=0,
            blocks=(g.Table(title="", header=("县", "个数"), rows=(("示范一县", "3"),)),),
        )
    )
    tbl = next(part(narrow, "word/document.xml").iter(W + "tbl"))
    assert {s for r in tbl.iter(W + "r") for s in run_size(r)} == {"32"}  # fits: 3号
    # The numeric cell is right-aligned.
    cells = list(tbl.iter(W + "tc"))
    assert attr(cells[-1].find(f".//{W}jc"), "val") == "right"


def test_image_is_inline_and_never_wider_than_the_text_block() -> None:
    chart = bar_chart_png("图", ["甲"], [1.0], "个")
    data = g.render_docx(
        samples.bulletin(paragraphs=0, blocks=(g.Image(png=chart, width_cm=30.0, caption=""),))
    )
    extent = next(part(data, "word/document.xml").iter(WP + "extent"))
    assert int(extent.get("cx") or 0) == round(15.6 * 360000)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert any(n.startswith("word/media/") for n in package.namelist())
    nan_width = samples.bulletin(paragraphs=0, blocks=(g.Image(png=chart, width_cm=float("nan")),))
    extent = next(part(g.render_docx(nan_width), "word/document.xml").iter(WP + "extent"))
    assert int(extent.get("cx") or 0) == round(15.6 * 360000)
    not_an_image = samples.bulletin(paragraphs=0, blocks=(g.Image(png=b"GIF", width_cm=5),))
    with pytest.raises(DomainError, match="图片无法识别"):
        g.render_docx(not_an_image)


def test_same_document_gives_the_same_bytes(full: bytes) -> None:
    again = g.render_docx(
        samples.bulletin(
            blocks=(
                samples.ranking_table(),
                g.Image(
                    png=bar_chart_png(
                        "各县（市、区）完成率", ["示范一县", "示范二县"], [83.3, None], "%"
                    ),
                    width_cm=15.0,
                    caption="图1 各县（市、区）完成率",
                ),
            ),
            attachments=(
                g.Attachment(
                    title="各县（市、区）投资完成情况排名表。", blocks=(samples.ranking_table(30),)
                ),
                g.Attachment(title="红黄绿灯清单", blocks=()),
            ),
        )
    )
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(full).hexdigest()
    core = part(full, "docProps/core.xml")
    created = [e.text for e in core if e.tag.endswith("}created")]
    assert created == ["2026-12-06T16:00:00Z"]  # midnight of the 成文日期, Beijing time
    changed = g.render_docx(replace(samples.bulletin(), number="示督通〔2026〕8号"))
    assert changed != g.render_docx(samples.bulletin())


def test_odd_input_still_gives_a_valid_document() -> None:
    doc = samples.odd_document()
    long_title = doc.title
    data = g.render_docx(doc)
    opened = docx.Document(io.BytesIO(data))  # python-docx reads it back
    texts = [p.text for p in opened.paragraphs]
    assert "（草稿，未签发）" in texts
    assert long_title in texts
    assert "示督通〔2026〕  号" in texts
    assert "附件：唯一附件" in texts  # a single attachment is not numbered
    assert not any(t.endswith("：") and t.startswith("各") for t in texts)  # no 主送 line
    assert samples.MIXED_TEXT in texts
    assert "空表" not in texts  # a table without header and rows is left out
    body = part(data, "word/document.xml")
    imprint = list(body.iter(W + "tbl"))[-1]
    assert [text_of(tr) for tr in imprint.iter(W + "tr")] == [
        "示范市人民政府督查室2026年1月2日印发"
    ]
    # The mark shrinks to fit the 版心 width.
    mark = paragraph_with(body, "联合督查组")
    size_pt = int(next(iter(run_size(mark))) or 0) / 2
    assert size_pt * g.display_width(doc.issuer_mark) * 20 <= g.TEXT_W
    assert "（草稿，未签发）" not in [
        p.text for p in docx.Document(io.BytesIO(g.render_docx(samples.bulletin()))).paragraphs
    ]


def test_paragraph_properties_are_in_schema_order(body: ET.Element) -> None:
    order = [W + tag for tag in g._PPR_TAGS.split()]
    for ppr in body.iter(W + "pPr"):
        tags = [child.tag for child in ppr]
        assert tags == sorted(tags, key=order.index)


def test_display_width_counts_latin_and_digits_as_half() -> None:
    assert g.display_width("2026年12月7日") == 6.5
    assert g.display_width("示范") == 2
    assert g.line_width("2026年12月7日") == 6.5 + 5 * 0.25  # five digit/Chinese boundaries
    assert g.line_width("示范市") == 3


def test_control_characters_line_feeds_and_tabs_in_text() -> None:
    doc = samples.bulletin(
        paragraphs=0,
        blocks=(g.Paragraph(runs=(g.Run("第一行\x00\x0b\x1f\ufffe\r\n第二行\t完成"),)),),
        title="标题\x07" + "很长" * 200,
    )
    body = part(g.render_docx(doc), "word/document.xml")
    p = paragraph_with(body, "第一行")
    assert text_of(p) == "第一行第二行完成"
    run = p.find(f"{W}r")
    assert run is not None
    assert [child.tag.removeprefix(W) for child in run][1:] == ["t", "br", "t", "tab", "t"]
    assert any(text_of(q) == "标题" + "很长" * 200 for q in paragraphs(body))


@pytest.mark.parametrize(
    "typed",
    [
        "示督通[2026]7号",
        "示督通（2026）7号",
        "示督通【2026】7号",
        "示督通(2026)7号",
        "示督通〔2026〕7号",
    ],
)
def test_number_year_is_put_in_hexagonal_brackets(typed: str) -> None:
    assert g.number_text(typed) == "示督通〔2026〕7号"
    body = part(
        g.render_docx(replace(samples.bulletin(paragraphs=0), number=typed)), "word/document.xml"
    )
    paragraph_with(body, "示督通〔2026〕7号")


def test_number_without_a_year_is_left_alone() -> None:
    assert g.number_text("第7期") == "第7期"
    assert g.number_text("示督通〔2026〕  号") == "示督通〔2026〕  号"
