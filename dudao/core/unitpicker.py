"""The searchable unit tree (单位选择器): one widget for every unit picker of the platform.

A long `<select>` of 40–400 units is replaced by a server-rendered tree of native radio buttons
(one unit) or checkboxes (several units) with a search box. Everything is in the HTML — the
options are exactly the field's queryset, which the page has already narrowed to the user's data
scope, so the picker never offers (and the form never accepts) a unit outside it. A small script
(`dudao/unitpicker.js`, no CDN) filters the tree while typing, keeps the ancestors of a match
visible, counts the selection and offers "选中全部匹配项"; without the script the tree is still a
plain, keyboard-usable list of inputs.

The widget reads three attributes of each option's instance, duck-typed so core imports no app:
`name`, `path` (materialised path: an ancestor's path is a prefix of its descendants') and
`depth` (1 = root).
"""

from __future__ import annotations

from typing import Any

from django import forms


class _UnitTreeMixin:
    """Shared rendering of the single and multiple pickers."""

    template_name = "core/unit_picker.html"
    multiple = False
    choices: Any

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(name, value, attrs)  # type: ignore[misc]
        selected = {str(v) for v in (context["widget"]["value"] or []) if v not in (None, "")}
        units: list[dict[str, Any]] = []
        has_blank = False
        for option_value, label in self.choices:
            instance = getattr(option_value, "instance", None)
            if instance is None:
                has_blank = True
                continue
            units.append(
                {
                    "value": str(option_value),
                    "label": str(label).strip("　 ") or str(instance),
                    "name": getattr(instance, "name", str(instance)),
                    "path": getattr(instance, "path", ""),
                    "depth": int(getattr(instance, "depth", 1) or 1),
                    "checked": str(option_value) in selected,
                }
            )
        top = min((u["depth"] for u in units), default=1)
        for u in units:
            u["indent"] = min(u["depth"] - top, 6)  # CSS classes unit-indent-0…6
        widget_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["widget"].update(
            units=units,
            multiple=self.multiple,
            allow_blank=has_blank and not self.multiple,
            blank_checked=not selected,
            selected_count=sum(1 for u in units if u["checked"]),
            list_id=f"{widget_id}_tree",
            search_id=widget_id,
        )
        return context

    def id_for_label(self, id_: str, index: str = "0") -> str:
        return id_  # the label focuses the search box


class UnitTreeSelect(_UnitTreeMixin, forms.Select):
    """One unit (radio buttons) — for a `ModelChoiceField` over organisations."""


class UnitTreeSelectMultiple(_UnitTreeMixin, forms.SelectMultiple):
    """Several units (checkboxes) — for a `ModelMultipleChoiceField` over organisations."""

    multiple = True


def _plain_ids(values: Any) -> None:
    """Refuse anything but a plain database id before the field queries with it (a 30-digit
    number would overflow SQLite's INTEGER and surface as a server error)."""
    items = values if isinstance(values, list | tuple) else [values]
    for v in items:
        if v in (None, ""):
            continue
        text = str(v)
        if not (text.isascii() and text.isdigit() and len(text) <= 18):
            raise forms.ValidationError("所选单位无效，请重新选择。", code="invalid_choice")


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """One unit from the searchable tree (the queryset is set per request, scope first)."""

    widget = UnitTreeSelect

    def to_python(self, value: Any) -> Any:
        _plain_ids(value)
        return super().to_python(value)


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Several units from the searchable tree."""

    widget = UnitTreeSelectMultiple

    def clean(self, value: Any) -> Any:
        _plain_ids(value)
        return super().clean(value)
