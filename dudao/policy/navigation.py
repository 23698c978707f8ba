"""Navigation: only the modules the user's roles may open (no dead links)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from dudao.policy import NAV as MODULE_NAV
from dudao.policy import POLICY

NAV = [
    ("home", "首页"),
    *MODULE_NAV,
    ("orgs:list", "组织机构"),
    ("users:list", "用户管理"),
    ("users:reset_requests", "密码重置审批"),
    ("users:mfa_policy", "两步验证设置"),
    ("audit:list", "审计日志"),
    ("token_list", "API 令牌"),
    ("mfa_settings", "两步验证"),
    ("api:openapi-view", "接口文档"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Return the navigation entries the current user may open, and site facts."""
    items = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        current = request.resolver_match.view_name if request.resolver_match else ""
        for name, label in NAV:
            access = POLICY.get(name, {}).get("GET")
            if access is not None and access.allows(user):
                section = name.split(":")[0] if ":" in name else None
                active = current == name or (
                    section is not None and current.split(":")[0] == section
                )
                items.append({"url": reverse(name), "label": label, "active": active})
    return {"nav_items": items, "site_name": settings.DUDAO_SITE_NAME, "demo_mode": demo_mode()}


def demo_mode() -> bool:
    """Return True when the database holds the fictional demo city (cached for a minute)."""
    from django.core.cache import cache

    from dudao.demo.models import DemoLoad

    value = cache.get("dudao:demo_mode")
    if value is None:
        value = DemoLoad.objects.exists()
        cache.set("dudao:demo_mode", value, 60)
    return bool(value)
