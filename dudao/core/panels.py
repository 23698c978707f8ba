"""Panels that a higher module adds to a lower module's object page (the layering seam).

A page of `projects` may not import `supervision` (supervision sits above it), yet the project
page must show the leaders' 批示 kept by supervision. The lower page names only a slot:
``{% load panels %}{% object_panels project %}``; the higher module registers, in its
`AppConfig.ready()`, a renderer for the model's label (``"projects.project"``). The renderer
gets the request and the object — already scope-checked by the page that shows it — and returns
HTML (or "" to show nothing). Core knows neither side.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

PanelRenderer = Callable[[HttpRequest, Any], str]

_PANELS: dict[str, dict[str, PanelRenderer]] = {}


def register_object_panel(model_label: str, key: str, renderer: PanelRenderer) -> None:
    """Add (or replace, by `key`) a panel on the pages of objects of `model_label`
    (``app_label.modelname``, lower case)."""
    _PANELS.setdefault(model_label.lower(), {})[key] = renderer


def panel_labels() -> list[str]:
    """The model labels that have at least one panel (for tests and docs)."""
    return sorted(label for label, panels in _PANELS.items() if panels)


def render_object_panels(request: HttpRequest, obj: Any) -> SafeString:
    """The registered panels of `obj`'s model, in registration order."""
    label = getattr(getattr(obj, "_meta", None), "label_lower", "")
    parts = [renderer(request, obj) for renderer in _PANELS.get(label, {}).values()]
    return format_html_join("", "{}", ((mark_safe(p),) for p in parts if p))
