"""Bar chart PNGs for the Word bulletins."""

from __future__ import annotations

import io
import shutil
from decimal import Decimal

import pytest
from PIL import Image

from dudao.bulletins import charts
from dudao.core.exceptions import DomainError

LABELS = ["示范第一县", "示范第二县", "示范第三县", "示范第四县"]


def decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def test_png_decodes_with_one_row_per_label() -> None:
    png = charts.bar_chart_png("完成率", LABELS, [Decimal("83.35"), 79.1, None, Decimal(0)], "%")
    image = decode(png)
    assert image.format == "PNG"
    assert image.width == charts.WIDTH
    assert image.height == charts.TITLE_HEIGHT + charts.ROW_HEIGHT * 4 + charts.MARGIN * 2
    two = decode(charts.bar_chart_png("完成率", LABELS[:2], [1, 2], "%"))
    assert two.height == image.height - 2 * charts.ROW_HEIGHT


def test_same_figures_give_the_same_bytes_and_other_figures_differ() -> None:
    first = charts.bar_chart_png("完成率", LABELS, [83.3, 79.1, None, -2.5], "%")
    assert first == charts.bar_chart_png("完成率", LABELS, [83.3, 79.1, None, -2.5], "%")
    assert first != charts.bar_chart_png("完成率", LABELS, [83.3, 79.2, None, -2.5], "%")


def red_pixels(image: Image.Image, row: int) -> int:
    y = charts.TITLE_HEIGHT + charts.MARGIN + row * charts.ROW_HEIGHT + charts.ROW_HEIGHT // 2
    rgb = image.convert("RGB")
    return sum(1 for x in range(image.width) if rgb.getpixel((x, y)) == charts.BAR_COLOUR)


def test_bars_are_proportional_and_a_missing_value_has_no_bar() -> None:
    image = decode(charts.bar_chart_png("投资", LABELS, [100, 50, None, 0], "亿元"))
    full, half, missing, zero = (red_pixels(image, i) for i in range(4))
    assert full > 500
    assert abs(half * 2 - full) <= 3
    assert missing == 0
    assert zero == 0


def test_nan_and_infinity_are_shown_as_missing() -> None:
    image = decode(charts.bar_chart_png("投资", LABELS[:2], [float("nan"), float("inf")], "亿元"))
    assert red_pixels(image, 0) == 0
    assert red_pixels(image, 1) == 0


@pytest.mark.parametrize(
    ("labels", "values", "message"),
    [
        ([], [], "没有数据"),
        (["甲"], [1, 2], "个数不一致"),
        (["甲"] * 201, [1] * 201, "最多"),
        (["甲"], [Decimal("1E+16")], "超出范围"),
    ],
)
def test_unusable_input_is_a_chinese_domain_error(
    labels: list[str], values: list[float], message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        charts.bar_chart_png("图", labels, values, "个")


def test_missing_cjk_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    charts.cjk_font_file.cache_clear()
    monkeypatch.setattr(shutil, "which", lambda name: None)
    try:
        with pytest.raises(DomainError, match="fontconfig"):
            charts.bar_chart_png("图", ["甲"], [1], "个")
    finally:
        charts.cjk_font_file.cache_clear()


def test_cjk_font_is_found_through_fontconfig() -> None:
    path, index = charts.cjk_font_file()
    assert "CJK" in path or "cjk" in path.lower()
    assert index >= 0


def test_extreme_values_and_odd_labels_still_draw() -> None:
    png = charts.bar_chart_png(
        "超" * 300,
        ["示范" * 80, "", "A\tB\x00C"],
        [Decimal("9999999999999999"), Decimal("-1E+15"), Decimal("0.05")],
        "亿元",
    )
    image = decode(png)
    assert image.width == charts.WIDTH
    only_negative = decode(charts.bar_chart_png("下降", ["甲", "乙"], [-3.2, -1.6], "%"))
    assert red_pixels(only_negative, 0) == 0  # negative bars use the other colour
