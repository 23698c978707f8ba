"""Form helpers shared by every module's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from dudao.core.exceptions import field_error_message


class CatalogueErrorsMixin:
    """Field errors of a form in the words of the platform's one catalogue
    (`dudao.core.exceptions.field_error_message`), as the services' errors are: "“年度计划投资
    （万元）”数值过大：最多 14 位数字……" instead of Django's "确认总共不超过 14 个数字。".
    Put it first among a form's bases; errors the catalogue does not know stay as they are."""

    fields: dict[str, forms.Field]
    _errors: Any
    error_class: Any

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        if not self._errors:
            return
        for name, errors in list(self._errors.items()):
            field = self.fields.get(name)
            if field is None:
                continue
            label = str(field.label or "")
            rewritten: list[ValidationError] = []
            for error in errors.as_data():
                message = field_error_message(label, field, error.code, error.params)
                rewritten.append(
                    ValidationError(message, code=error.code) if message is not None else error
                )
            self._errors[name] = self.error_class(
                rewritten, renderer=getattr(self, "renderer", None)
            )
