"""Bar charts as PNG images for the Word bulletins, drawn with Pillow and a CJK font.

The browser shows charts with ECharts; a .docx needs a picture. `bar_chart_png` draws a
horizontal bar chart (one bar per county, project category, …) with its value written
beside each bar; a missing value is shown as "—" without a bar. The output depends only on
the arguments and the font file, so the same figures give the same PNG bytes.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from collections.abc import Sequence
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFont

from dudao.core.exceptions import DomainError
from dudao.core.numbers import dec, format_decimal

FONT_FAMILY = "Noto Sans CJK SC"
WIDTH = 1240  # pixels: 15.6 cm at about 200 dpi
ROW_HEIGHT = 44
BAR_HEIGHT = 26
TITLE_HEIGHT = 70
MARGIN = 24
MAX_BARS = 200
MAX_VALUE = Decimal("1E+16")
BAR_COLOUR = (196, 30, 30)
NEGATIVE_COLOUR = (90, 110, 140)
TEXT_COLOUR = (20, 20, 20)
AXIS_COLOUR = (120, 120, 120)
MISSING = "—"


@functools.cache
def cjk_font_file() -> tuple[str, int]:
    """(path, face index) of a Simplified-Chinese font, found once through fontconfig."""
    fc_match, fc_list = shutil.which("fc-match"), shutil.which("fc-list")
    if fc_match is None or fc_list is None:
        raise DomainError("服务器未安装 fontconfig（fc-match），无法查找中文字体，图表未生成。")
    try:
        matched = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [fc_match, "-f", "%{file}\t%{index}\t%{family}", FONT_FAMILY],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
        listed = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [fc_list, ":lang=zh-cn", "-f", "%{file}\t%{index}\t%{family}\n"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DomainError("无法查询服务器字体（fontconfig 不可用），图表未生成。") from exc
    candidates = [matched] if FONT_FAMILY in matched else []
    candidates += sorted(line for line in listed.splitlines() if line.strip())
    for line in candidates:
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0]:
            return parts[0], int(parts[1] or 0)
    raise DomainError(
        "服务器未安装中文字体（如 Noto Sans CJK，Debian 软件包 fonts-noto-cjk），无法绘制图表。"
    )


def _font(size: int) -> ImageFont.FreeTypeFont:
    path, index = cjk_font_file()
    return _load_font(path, index, size)


@functools.cache
def _load_font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size=size, index=index)


def _as_decimal(value: Decimal | float | None) -> Decimal | None:
    if value is None:
        return None
    try:
        number = dec(value if isinstance(value, Decimal) else str(value))
    except (ValueError, ArithmeticError, TypeError):
        return None  # NaN or infinity: shown as missing, never drawn
    return number


def _label(value: Decimal | None, unit: str) -> str:
    if value is None:
        return MISSING
    return f"{format_decimal(value, 1)}{unit}"


def _fit(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    """Shorten `text` with "…" until it fits `width` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def bar_chart_png(
    title: str,
    labels: Sequence[str],
    values: Sequence[Decimal | float | None],
    unit: str,
) -> bytes:
    """A horizontal bar chart as PNG bytes; raises DomainError on unusable input."""
    if len(labels) != len(values):
        raise DomainError("图表的名称和数值个数不一致。")
    if not labels:
        raise DomainError("图表没有数据。")
    if len(labels) > MAX_BARS:
        raise DomainError(f"图表最多显示 {MAX_BARS} 项。")
    numbers = [_as_decimal(v) for v in values]
    if any(n is not None and abs(n) >= MAX_VALUE for n in numbers):
        raise DomainError("图表数值超出范围，无法绘制。")
    title_font, label_font = _font(30), _font(22)
    height = TITLE_HEIGHT + ROW_HEIGHT * len(labels) + MARGIN * 2
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)

    draw.text((WIDTH / 2, MARGIN + 18), _fit(draw, title, title_font, WIDTH - 2 * MARGIN),
              font=title_font, fill=TEXT_COLOUR, anchor="mm")  # fmt: skip
    label_w = min(300.0, max(draw.textlength(str(x), font=label_font) for x in labels) + 12)
    value_w = max(draw.textlength(_label(n, unit), font=label_font) for n in numbers) + 16
    present = [n for n in numbers if n is not None]
    low = min([Decimal(0), *present])
    high = max([Decimal(0), *present])
    # Values are written beyond the bar's end: right of positive bars, left of negative ones.
    left = MARGIN + label_w + (value_w if low < 0 else 0)
    right = WIDTH - MARGIN - value_w
    span = (high - low) or Decimal(1)

    def x_of(value: Decimal) -> float:
        return left + float((value - low) / span) * (right - left)

    zero_x = x_of(Decimal(0))
    top = TITLE_HEIGHT + MARGIN
    for i, (name, number) in enumerate(zip(labels, numbers, strict=True)):
        y = top + i * ROW_HEIGHT + ROW_HEIGHT / 2
        draw.text((MARGIN + label_w - 12, y), _fit(draw, str(name), label_font, label_w - 12),
                  font=label_font, fill=TEXT_COLOUR, anchor="rm")  # fmt: skip
        text = _label(number, unit)
        if number is None:
            draw.text((zero_x + 8, y), text, font=label_font, fill=AXIS_COLOUR, anchor="lm")
            continue
        end_x = x_of(number)
        x0, x1 = sorted((zero_x, end_x))
        colour = BAR_COLOUR if number >= 0 else NEGATIVE_COLOUR
        if x1 - x0 >= 1:
            draw.rectangle((x0, y - BAR_HEIGHT / 2, x1, y + BAR_HEIGHT / 2), fill=colour)
        if number >= 0:
            draw.text((x1 + 8, y), text, font=label_font, fill=TEXT_COLOUR, anchor="lm")
        else:
            draw.text((x0 - 8, y), text, font=label_font, fill=TEXT_COLOUR, anchor="rm")
    draw.line((zero_x, top, zero_x, top + ROW_HEIGHT * len(labels)), fill=AXIS_COLOUR, width=2)

    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
