"""Leaders' 批示 on a bulletin: bulletins sit above supervision, so they register themselves as a
批示 target (supervision keeps the 批示 and shows the panel on the bulletin page)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from dudao.bulletins import selectors
from dudao.supervision import services as supervision_services


def _describe(obj: Any) -> supervision_services.InstructionTarget:
    # A 批示 on a bulletin goes by default to the office that issued it (督查室 follows it up).
    return supervision_services.InstructionTarget(
        kind="bulletin",
        kind_label="督查通报",
        obj=obj,
        title=obj.title,
        unit=obj.issuer_org,
        url=reverse("bulletins:detail", kwargs={"pk": obj.pk}),
    )


def register() -> None:
    supervision_services.register_instruction_target(
        "bulletin",
        label="督查通报",
        model_label="bulletins.bulletin",
        fetch=selectors.get_bulletin,
        describe=_describe,
    )
