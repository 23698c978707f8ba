"""Sample documents for the .docx writer tests (fictional 示范市 content)."""

from __future__ import annotations

import datetime

from dudao.bulletins import gbt9704 as g

# 27 characters; three of them and a figure sentence make a paragraph of about six lines.
SENTENCE = "全市重大项目建设总体平稳有序，投资完成情况好于序时进度。"


def body_paragraphs(n: int) -> tuple[g.Block, ...]:
    blocks: list[g.Block] = []
    for i in range(n):
        blocks.append(
            g.Paragraph(
                runs=(
                    g.Run(f"（{i + 1}）", bold=True),
                    g.Run(SENTENCE * 3),
                    g.Run("截至11月底完成投资904.6亿元，占年度计划的87.5%。"),
                )
            )
        )
    return tuple(blocks)


def bulletin(
    *,
    paragraphs: int = 12,
    blocks: tuple[g.Block, ...] = (),
    attachments: tuple[g.Attachment, ...] = (),
    draft: bool = False,
    title: str = "关于2026年11月全市重大项目建设进展情况的通报",
) -> g.Document:
    return g.Document(
        issuer_mark="示范市人民政府督查室",
        number="示督通〔2026〕7号",
        title=title,
        addressees="各县（市、区）人民政府，市直有关单位",
        blocks=(
            g.Paragraph(runs=(g.Run("为推动重大项目建设，市政府督查室于11月开展了专项督查。"),)),
            g.Heading(level=1, text="一、基本情况"),
            g.Heading(level=2, text="（一）总体进展"),
            g.Heading(level=3, text="1.投资完成情况"),
            g.Heading(level=4, text="（1）分类别情况"),
            *body_paragraphs(paragraphs),
            *blocks,
        ),
        attachments=attachments,
        signer_org="示范市人民政府督查室",
        date=datetime.date(2026, 12, 7),
        copy_to="市委办公室，市人大常委会办公室，市政协办公室",
        printer_org="示范市人民政府督查室",
        print_date=datetime.date(2026, 12, 8),
        draft=draft,
    )


def ranking_table(rows: int = 8) -> g.Table:
    return g.Table(
        title="各县（市、区）重大项目投资完成情况",
        header=("排名", "县（市、区）", "年度计划（亿元）", "完成投资（亿元）", "完成率"),
        rows=tuple(
            (
                str(i + 1),
                f"示范第{i + 1}县",
                f"{120 - i * 7}.0",
                f"{100 - i * 6.5:.1f}",
                f"{83.3 - i:.1f}%",
            )
            for i in range(rows)
        ),
        note="注：部分数据因四舍五入的原因，存在总计与分项合计不等的情况。",
    )


MIXED_TEXT = "GDP增长6.4%，PM2.5下降3.1个百分点；ABC-123项目见https://example.gov.cn/" + "a" * 60


def odd_document() -> g.Document:
    """Empty runs and blocks, an overlong title, mark and signer, mixed Latin and digits."""
    return g.Document(
        issuer_mark="示范市人民政府督查室和示范市发展和改革委员会联合督查组",
        number="示督通〔2026〕  号",
        title="关于" + "示范市重大项目建设和产业集聚区运行情况" * 6 + "的通报",
        addressees="",
        blocks=(
            g.Paragraph(runs=()),
            g.Paragraph(runs=(g.Run(""), g.Run(MIXED_TEXT))),
            g.Heading(level=7, text="未知层级"),
            g.Table(title="空表", header=(), rows=()),
            g.Table(title="", header=("甲",), rows=(("1", "多出的列", "x" * 200),)),
        ),
        attachments=(g.Attachment(title="唯一附件", blocks=()),),
        signer_org="示范市人民政府督查室和示范市发展和改革委员会",
        date=datetime.date(2026, 1, 1),
        copy_to="",
        printer_org="示范市人民政府督查室",
        print_date=datetime.date(2026, 1, 2),
        draft=True,
    )
