"""The 运行通报 reuses the statistics module's own paragraph (the speech's): never recomputed,
only its figures marked as references to their source."""

from __future__ import annotations

import datetime as dt

import pytest

from dudao.bulletins import selectors, services
from dudao.core.periods import Period
from dudao.stats import selectors as stats
from dudao.stats.tests.scenario import build_speech_city
from dudao.testing import World

pytestmark = pytest.mark.django_db


def test_the_speech_paragraph_is_reused_verbatim(world: World) -> None:
    build_speech_city(world)
    summary = stats.city_summary(world.city_supervisor, world.city, dt.date(2021, 6, 1))
    b = services.make_draft(actor=world.city_supervisor, kind="parks", period=Period.month(2021, 6))
    paragraphs = [
        blk["plain"] for blk in selectors.reader_blocks(b)["blocks"] if blk["type"] == "paragraph"
    ]
    for sentence in summary.sentences:
        assert sentence in paragraphs
    assert "904.6亿元" in b.search_text
    assert "增长-" not in b.search_text
    assert "None" not in b.search_text
    figures = {f.key: f for f in b.figures.all()}
    assert figures["fai_value"].display == "904.6"
    assert figures["fai_value"].source_module == "统计分析"
    assert "fai_share" in figures
    assert "fai_growth" in figures
