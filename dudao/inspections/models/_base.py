"""观摩督导 models (`dudao.inspections.models`): shared constants and helpers."""

from __future__ import annotations

from decimal import Decimal

HALF = Decimal("0.5")
