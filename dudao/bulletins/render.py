"""A bulletin's content → the GB/T 9704 document model (`gbt9704.Document`) → .docx bytes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from dudao.bulletins.content import paragraph_text

if TYPE_CHECKING:
    from dudao.bulletins import gbt9704
    from dudao.bulletins.models import Bulletin

CHART_WIDTH_CM = 15.0


def shown_values(bulletin: Bulletin) -> dict[str, str]:
    return {f.key: f.shown for f in bulletin.figures.all()}


def _blocks(raw: list[dict[str, Any]], shown: dict[str, str]) -> tuple[gbt9704.Block, ...]:
    from dudao.bulletins import charts, gbt9704

    out: list[gbt9704.Block] = []
    for b in raw:
        kind = b["type"]
        if kind == "heading":
            out.append(gbt9704.Heading(level=int(b["level"]), text=b["text"]))
        elif kind == "paragraph":
            text = paragraph_text(b["segments"], shown)
            out.append(gbt9704.Paragraph(runs=(gbt9704.Run(text=text),)))
        elif kind == "table":
            out.append(
                gbt9704.Table(
                    title=b["title"],
                    header=tuple(b["header"]),
                    rows=tuple(tuple(r) for r in b["rows"]),
                    note=b.get("note", ""),
                )
            )
        elif kind == "chart":
            values = [None if v is None else Decimal(v) for v in b["values"]]
            if not any(v is not None for v in values):
                continue
            png = charts.bar_chart_png(b["title"], b["labels"], values, b["unit"])
            out.append(gbt9704.Image(png=png, width_cm=CHART_WIDTH_CM, caption=b["title"]))
    return tuple(out)


def document(bulletin: Bulletin) -> gbt9704.Document:
    from dudao.bulletins import gbt9704

    shown = shown_values(bulletin)
    content = bulletin.content
    draft = bulletin.status != bulletin.Status.APPROVED
    today = timezone.localdate()
    signed: dt.date = bulletin.signed_on or today
    return gbt9704.Document(
        issuer_mark=bulletin.issuer_mark,
        number=bulletin.number_text,
        title=bulletin.title,
        addressees=f"{bulletin.main_to}：" if bulletin.main_to else "",
        blocks=_blocks(content.get("blocks", []), shown),
        attachments=tuple(
            gbt9704.Attachment(title=a["title"], blocks=_blocks(a["blocks"], shown))
            for a in content.get("attachments", [])
        ),
        signer_org=bulletin.issuer_mark,
        date=signed,
        copy_to=bulletin.copy_to,
        printer_org=bulletin.issuer_mark,
        print_date=signed,
        draft=draft,
    )


def render_docx(bulletin: Bulletin) -> bytes:
    """The .docx of a bulletin as it stands (a draft is marked as such, never looks signed)."""
    from dudao.bulletins import gbt9704

    return gbt9704.render_docx(document(bulletin))
