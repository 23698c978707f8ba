"""Navigation: the side menu, grouped by module, with only what the user's roles may open
(no dead links), and exactly one active entry (the longest URL prefix of the page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from dudao.core.menu import GROUPS, MenuEntry, group_of
from dudao.policy import NAV as MODULE_NAV
from dudao.policy import POLICY

HOME = MenuEntry("home", "首页")
# The platform's own pages (accounts, organisations, audit, API): the 系统 group.
PLATFORM_NAV = [
    MenuEntry("orgs:list", "组织机构", "system"),
    MenuEntry("users:list", "用户管理", "system"),
    MenuEntry("users:reset_requests", "密码重置审批", "system"),
    MenuEntry("users:mfa_policy", "两步验证设置", "system"),
    MenuEntry("audit:list", "审计日志", "system"),
    MenuEntry("ops:status", "运行状态", "system"),
    MenuEntry("token_list", "API 令牌", "system"),
    MenuEntry("mfa_settings", "两步验证", "system"),
    MenuEntry("api:openapi-view", "接口文档", "system"),
]
NAV: list[MenuEntry] = [*MODULE_NAV, *PLATFORM_NAV]
GROUP_ORDER = {g.key: i for i, g in enumerate(GROUPS)}


@dataclass
class NavItem:
    url: str
    label: str
    group: str
    active: bool = False

    def __getitem__(self, key: str) -> Any:  # templates and older tests read item["label"]
        return getattr(self, key)


@dataclass
class NavGroup:
    key: str
    label: str
    items: list[NavItem] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return any(item.active for item in self.items)


# (URLconf, script prefix, URL name) → the entry's URL, or None when it takes arguments: the
# menu is drawn on every page, and reversing its ~60 names each time was most of its cost.
_URLS: dict[tuple[Any, str, str], str | None] = {}


def _menu_url(url_name: str) -> str | None:
    key = (get_urlconf(), get_script_prefix(), url_name)
    if key not in _URLS:
        try:
            _URLS[key] = reverse(url_name)
        except NoReverseMatch:  # an entry whose URL takes arguments cannot be a menu link
            _URLS[key] = None
    return _URLS[key]


# (URLconf, script prefix, roles) → the (url, label, group) of the entries those roles may
# open, with the menu and the policy table they were read from: both are fixed in code, and
# `Access.allows` reads nothing of an authenticated user but its roles, so an entry is reused
# while the menu and the table it came from are still the ones in place.
_ALLOWED: dict[tuple[Any, str, int], tuple[object, object, tuple[tuple[str, str, str], ...]]] = {}


def allowed_entries(user: Any) -> list[NavItem]:
    """The menu entries `user` may open (GET allowed by the URL policy), in menu order."""
    roles = int(user.roles) if user.is_authenticated else -1
    key = (get_urlconf(), get_script_prefix(), roles)
    cached = _ALLOWED.get(key)
    if cached is None or cached[0] is not NAV or cached[1] is not POLICY:
        found = []
        for entry in NAV:
            access = POLICY.get(entry.url_name, {}).get("GET")
            if access is None or not access.allows(user):
                continue
            url = _menu_url(entry.url_name)
            if url is None:
                continue
            found.append((url, entry.label, entry.group_key))
        if len(_ALLOWED) >= 1024:
            _ALLOWED.clear()
        cached = _ALLOWED[key] = (NAV, POLICY, tuple(found))
    return [NavItem(url, label, group) for url, label, group in cached[2]]


def mark_active(items: list[NavItem], path: str) -> None:
    """Mark the one entry whose URL is the longest prefix of `path` (首页 only on `/` itself)."""
    best: NavItem | None = None
    for item in items:
        matches = path == item.url if item.url == "/" else path.startswith(item.url)
        if matches and (best is None or len(item.url) > len(best.url)):
            best = item
    if best is not None:
        best.active = True


def grouped(items: list[NavItem]) -> list[NavGroup]:
    """The entries in the catalogue's group order (entries keep their order inside a group)."""
    groups: dict[str, NavGroup] = {}
    for item in sorted(items, key=lambda i: GROUP_ORDER.get(i.group, len(GROUP_ORDER))):
        if item.group not in groups:
            group = group_of(item.group)
            groups[item.group] = NavGroup(group.key, group.label)
        groups[item.group].items.append(item)
    return list(groups.values())


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The side menu of the current user (home link, groups), and site facts."""
    home: NavItem | None = None
    groups: list[NavGroup] = []
    items: list[NavItem] = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        home = NavItem(_menu_url(HOME.url_name) or "/", HOME.label, "")
        groups = grouped(allowed_entries(user))
        items = [home, *(item for group in groups for item in group.items)]
        mark_active(items, request.path)
    return {
        "nav_home": home,
        "nav_groups": groups,
        "nav_items": items,
        "nav_html": nav_html(home, groups),
        "site_name": settings.DUDAO_SITE_NAME,
        "demo_mode": demo_mode(),
    }


_ACTIVE = ' class="active" aria-current="page"'
# The menu's markup by its content (the same few menus are drawn on every page).
_HTML: dict[tuple[Any, ...], SafeString] = {}


def nav_html(home: NavItem | None, groups: list[NavGroup]) -> SafeString:
    """The side menu's links (base.html prints it): built once per distinct menu."""
    key = (
        home and (home.url, home.label, home.active),
        tuple((g.key, g.label, tuple((i.url, i.label, i.active) for i in g.items)) for g in groups),
    )
    html = _HTML.get(key)
    if html is None:
        parts = []
        if home is not None:
            active = " active" if home.active else ""
            current = ' aria-current="page"' if home.active else ""
            parts.append(
                f'<a class="navhome{active}" href="{escape(home.url)}"{current}>'
                f"{escape(home.label)}</a>"
            )
        parts.append("\n    ")
        for g in groups:
            links = "".join(
                f'<a href="{escape(i.url)}"{_ACTIVE if i.active else ""}>{escape(i.label)}</a>'
                for i in g.items
            )
            parts.append(
                f'<details class="navgroup" data-group="{escape(g.key)}"'
                f"{' open' if g.active else ''}>\n      <summary>{escape(g.label)}</summary>\n"
                f"      {links}\n    </details>"
            )
        html = mark_safe("".join(parts))  # every value escaped above
        if len(_HTML) >= 1024:
            _HTML.clear()
        _HTML[key] = html
    return html


def demo_mode() -> bool:
    """Return True when the database holds the fictional demo city (cached for a minute)."""
    from django.core.cache import cache

    from dudao.demo.models import DemoLoad

    value = cache.get("dudao:demo_mode")
    if value is None:
        value = DemoLoad.objects.exists()
        cache.set("dudao:demo_mode", value, 60)
    return bool(value)
