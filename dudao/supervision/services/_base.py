"""督查督办 writes (`dudao.supervision.services`): shared constants and helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dudao.supervision.models import (
    SupervisionTask,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile


S = SupervisionTask.Status
MAX_DEPTH = 4
MAX_FILES = 10
TASK_FIELDS = (
    "title",
    "content",
    "goal",
    "goal_project",
    "category",
    "lead_org",
    "responsible_person",
    "lead_leader",
    "deadline_mode",
    "deadline_amount",
    "deadline",
    "feedback_cycle",
    "urgency",
    "weight",
)


@dataclass(frozen=True)
class Upload:
    """A file as received (name and bytes), before `clean_document` checks it."""

    name: str
    data: bytes

    @classmethod
    def from_django(cls, f: UploadedFile) -> Upload:
        return cls(f.name or "file", f.read())
