"""`{% object_panels obj %}`: the panels other modules registered for this object's page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from dudao.core.panels import render_object_panels

register = template.Library()


@register.simple_tag(takes_context=True)
def object_panels(context: dict[str, Any], obj: Any) -> SafeString:
    request = context.get("request")
    if request is None or obj is None:
        return SafeString("")
    return render_object_panels(request, obj)
