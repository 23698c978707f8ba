"""/api/v1 routes of the opendata app."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["信息公开"])
