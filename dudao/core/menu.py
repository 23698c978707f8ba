"""Menu entries and the fixed catalogue of menu groups (the side menu's modules).

Every module declares its entries in its policy.py `NAV`, either as a plain
``(URL name, label)`` pair or as a `MenuEntry` naming its group. An entry without a group
falls in the group whose key is the entry's URL namespace (``projects:list`` → 项目), and in
`FALLBACK_GROUP` when no group has that key — so a new module's entries always show, grouped,
with no change to the navigation code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class MenuGroup:
    key: str
    label: str


# The side menu's groups, in display order (the catalogue is fixed: a module picks one).
GROUPS: tuple[MenuGroup, ...] = (
    MenuGroup("cockpit", "领导驾驶舱"),
    MenuGroup("projects", "项目"),
    MenuGroup("investment", "招商"),
    MenuGroup("parks", "集聚区"),
    MenuGroup("enterprises", "企业"),
    MenuGroup("targets", "目标"),
    MenuGroup("supervision", "督查"),
    MenuGroup("problems", "台账"),
    MenuGroup("inspections", "观摩"),
    MenuGroup("evaluation", "考评"),
    MenuGroup("bulletins", "通报"),
    MenuGroup("system", "系统"),
)
FALLBACK_GROUP = MenuGroup("other", "其他")
GROUP_KEYS = frozenset(g.key for g in GROUPS)


@dataclass(frozen=True)
class MenuEntry:
    """One menu link: a URL name (its GET policy decides who sees it), a label, a group key."""

    url_name: str
    label: str
    group: str = ""

    def __post_init__(self) -> None:
        if self.group and self.group not in GROUP_KEYS:
            raise ValueError(f"menu entry {self.url_name}: unknown group {self.group!r}")

    def __iter__(self) -> Iterator[str]:
        """Unpacks as the plain pair, ``name, label = entry``, as module NAV items always did."""
        return iter((self.url_name, self.label))

    @property
    def group_key(self) -> str:
        """The declared group, else the one named like the URL namespace, else the fallback."""
        if self.group:
            return self.group
        namespace = self.url_name.split(":")[0] if ":" in self.url_name else ""
        return namespace if namespace in GROUP_KEYS else FALLBACK_GROUP.key


def menu_entry(item: MenuEntry | tuple[str, str] | tuple[str, str, str]) -> MenuEntry:
    """A module's NAV item as a `MenuEntry` (plain pairs and triples are accepted)."""
    if isinstance(item, MenuEntry):
        return item
    return MenuEntry(*item)


def group_of(key: str) -> MenuGroup:
    for group in GROUPS:
        if group.key == key:
            return group
    return FALLBACK_GROUP
