"""The bulletin's content as JSON blocks, and the figures its sentences refer to.

A paragraph is a list of segments: ``{"text": "…"}`` or ``{"figure": "<key>"}``. The figure's
value lives once, in a `FigureSpec` (later a BulletinFigure row), so the author may rewrite the
prose around it while the figure stays a reference to its source. Tables, charts and headings
are generated from the same selectors and are not edited by hand.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dudao.core.exceptions import DomainError

# A figure in the editor's text: 〔数据项名称〕 (full-width brackets, never typed in prose).
PLACEHOLDER = re.compile(r"〔([^〔〕]{1,60})〕")
CN_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class FigureSpec:
    """One figure with its source. ``raw`` None means the data is missing (shown as "—")."""

    key: str
    label: str
    display: str
    raw: Decimal | None
    unit: str
    source_module: str
    source_indicator: str
    source_period: str
    source_scope: str
    lock_state: str = ""

    @property
    def fingerprint(self) -> str:
        raw = "" if self.raw is None else f"{self.raw.normalize():f}"
        text = f"{self.key}|{raw}|{self.display}|{self.unit}"
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Builder:
    """Collects blocks, attachments and figures while a kind's sections are filled."""

    blocks: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    figures: dict[str, FigureSpec] = field(default_factory=dict)
    _heading_no: int = 0
    _para_no: int = 0

    def figure(self, spec: FigureSpec) -> dict[str, str]:
        """Register a figure; return the segment that refers to it."""
        known = self.figures.get(spec.key)
        if known is not None and known != spec:
            raise ValueError(f"figure {spec.key} registered twice with different values")
        labels = {f.label for k, f in self.figures.items() if k != spec.key}
        if spec.label in labels:
            raise ValueError(f"figure label {spec.label} is not unique")
        self.figures[spec.key] = spec
        return {"figure": spec.key}

    def heading(self, title: str) -> None:
        """A level-1 heading numbered 一、二、… in order."""
        self._heading_no += 1
        self.blocks.append(
            {"type": "heading", "level": 1, "text": f"{CN_NUMERALS[self._heading_no - 1]}、{title}"}
        )

    def paragraph(self, *parts: str | dict[str, str]) -> None:
        """A body paragraph from strings and figure segments (adjacent strings merged)."""
        self._para_no += 1
        self.blocks.append(
            {"type": "paragraph", "id": f"p{self._para_no}", "segments": _segments(parts)}
        )

    def attachment(self, title: str, blocks: list[dict[str, Any]]) -> None:
        self.attachments.append({"title": title, "blocks": blocks})


def _segments(parts: tuple[str | dict[str, str], ...] | list[Any]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            if out and "text" in out[-1]:
                out[-1] = {"text": out[-1]["text"] + part}
            else:
                out.append({"text": part})
        else:
            out.append(dict(part))
    return out


def table(title: str, header: list[str], rows: list[list[str]], note: str = "") -> dict[str, Any]:
    return {"type": "table", "title": title, "header": header, "rows": rows, "note": note}


def chart(
    title: str, labels: list[str], values: list[Decimal | None], unit: str, caption: str = ""
) -> dict[str, Any]:
    return {
        "type": "chart",
        "title": title,
        "labels": labels,
        "values": [None if v is None else f"{v:f}" for v in values],
        "unit": unit,
        "caption": caption,
    }


def split_on_figures(text: str, specs: list[FigureSpec]) -> list[str | dict[str, str]]:
    """Cut a sentence built elsewhere (the statistics engine's) into text and figure segments:
    each figure's display text is looked for, in order, after the previous one. A figure not
    found stays out of the sentence (the sentence is never rewritten)."""
    parts: list[str | dict[str, str]] = []
    rest = text
    for spec in specs:
        at = rest.find(spec.display) if spec.display else -1
        if at < 0:
            continue
        parts.append(rest[:at])
        parts.append({"figure": spec.key})
        rest = rest[at + len(spec.display) :]
    parts.append(rest)
    return parts


# --- reading the content back -------------------------------------------------------------------


def paragraph_text(segments: list[dict[str, str]], shown: dict[str, str]) -> str:
    """The paragraph as read: figure segments replaced by the figure's shown value."""
    return "".join(s["text"] if "text" in s else shown.get(s["figure"], "—") for s in segments)


def editor_text(segments: list[dict[str, str]], labels: dict[str, str]) -> str:
    """The paragraph as edited: figures as 〔数据项〕 placeholders."""
    return "".join(
        s["text"] if "text" in s else f"〔{labels.get(s['figure'], s['figure'])}〕"
        for s in segments
    )


def parse_editor_text(text: str, by_label: dict[str, str]) -> list[dict[str, str]]:
    """Read an edited paragraph back: 〔数据项〕 become figure references again; an unknown
    name is a Chinese error naming it."""
    text = text.replace("\r\n", "\n").replace("\x00", "").strip()
    if not text:
        raise DomainError("段落不能为空；不需要的段落请保留原文或改写。", field="text")
    if len(text) > 4000:
        raise DomainError("段落过长（最多 4000 字）。", field="text")
    parts: list[str | dict[str, str]] = []
    pos = 0
    for match in PLACEHOLDER.finditer(text):
        key = by_label.get(match.group(1))
        if key is None:
            raise DomainError(
                f"“〔{match.group(1)}〕”不是本通报的数据项；数据项请从下方“数据项及来源”表中选用。",
                field="text",
            )
        parts.append(text[pos : match.start()])
        parts.append({"figure": key})
        pos = match.end()
    parts.append(text[pos:])
    if "〔" in text[pos:] or "〕" in text[pos:]:
        raise DomainError("〔〕 只用于标记数据项，请检查是否成对。", field="text")
    return _segments(parts)


def all_text(content: dict[str, Any], shown: dict[str, str]) -> str:
    """Everything a reader sees, for the archive's full-text search."""
    out: list[str] = [content.get("opening_title", "")]

    def walk(blocks: list[dict[str, Any]]) -> None:
        for b in blocks:
            if b["type"] == "paragraph":
                out.append(paragraph_text(b["segments"], shown))
            elif b["type"] == "heading":
                out.append(b["text"])
            elif b["type"] == "table":
                out.append(b["title"])
                out.extend(" ".join(r) for r in b["rows"])

    walk(content.get("blocks", []))
    for att in content.get("attachments", []):
        out.append(att["title"])
        walk(att["blocks"])
    return "\n".join(t for t in out if t)
