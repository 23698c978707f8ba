"""/api/v1 endpoints. Function names become URL names (api:<name>): keep them unique."""

from ninja import Router

router = Router(tags=["省级考评"])
