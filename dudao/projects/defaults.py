"""The module's reference data (categories, milestone nodes, the settings row), as the data
migrations create them. `ensure_defaults()` puts back what a database flush removed (the
transactional browser tests flush before loading the demo)."""

from __future__ import annotations

from typing import Any

CATEGORIES = [
    ("industry", "产业", 10),
    ("urban", "城建", 20),
    ("infrastructure", "基础设施", 30),
    ("livelihood", "社会民生", 40),
]
NODES = [
    ("SIGN", "签约", 10, ""),
    ("FILING", "备案", 20, ""),
    ("LAND", "用地", 30, ""),
    ("EIA", "环评", 40, ""),
    ("START", "开工", 50, "start"),
    ("MAIN", "主体完工", 60, ""),
    ("COMPLETE", "竣工", 70, "complete"),
    ("PRODUCE", "投产", 80, "produce"),
]


def ensure_defaults(category: Any = None, node: Any = None, settings: Any = None) -> None:
    """Create the missing default rows (models may be historical ones from a migration)."""
    if category is None or node is None or settings is None:
        from dudao.projects.models import MilestoneNode, ProjectCategory, ProjectSettings

        category, node, settings = ProjectCategory, MilestoneNode, ProjectSettings
    for code, name, order in CATEGORIES:
        category.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
    for code, name, order, role in NODES:
        node.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order, "role": role}
        )
    settings.objects.get_or_create(pk=1)
