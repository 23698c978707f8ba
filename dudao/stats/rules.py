"""The statistics rules other domain apps may call (their public door into stats).

The engine (``dudao.stats.engine``) is private to stats; arithmetic shared by every app lives
in ``dudao.core.numbers``, ``dudao.core.ranks`` and ``dudao.core.periods``. What stats owns
and others need is re-exported here:

* ``tour_sites_phrase`` — the speech's sentence on the sites a tour visited (观摩督导), used by
  inspections; its words are the ``TOUR_*`` constants.
* ``StatsError`` — the engine's error (``core.numbers.FigureError``), raised by the phrase.
"""

from __future__ import annotations

from dudao.stats.engine.figures import StatsError
from dudao.stats.engine.tours import (
    TOUR_COUNTY_WORD,
    TOUR_PARK_WORD,
    TOUR_VISIT_VERB,
    tour_sites_phrase,
)

__all__ = [
    "TOUR_COUNTY_WORD",
    "TOUR_PARK_WORD",
    "TOUR_VISIT_VERB",
    "StatsError",
    "tour_sites_phrase",
]
