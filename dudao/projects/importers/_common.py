"""What the projects importers share: the report status, zero, the file digest and the
"many ids" threshold (read through the package, so tests can lower `importers.MANY`)."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from dudao.projects.models import MonthlyReport

S = MonthlyReport.Status
ZERO = Decimal("0")


def many() -> int:
    """Above this many ids in a file, lookups filter on the actor's scope instead."""
    from dudao.projects import importers

    return importers.MANY


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
