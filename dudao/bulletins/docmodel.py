"""The input of the GB/T 9704 writer: a bulletin as plain frozen dataclasses (no Django) —
runs, paragraphs, headings, tables, images, attachments and the document with its 版头 and 版记."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

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
