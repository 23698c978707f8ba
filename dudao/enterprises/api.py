"""/api/v1 routes of the enterprises app."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["企业服务与亩均效益"])
