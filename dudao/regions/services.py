"""Loading reference data, audited."""

from __future__ import annotations

from django.db import transaction

from dudao.audit.services import record_event
from dudao.regions.loader import DATA_FILE, SOURCE_REVISION, load_regions
from dudao.regions.models import Region


@transaction.atomic
def load_region_snapshot() -> tuple[int, int]:
    """Load the shipped GB/T 2260 snapshot; return (created, updated) and audit it."""
    created, updated = load_regions(Region)
    record_event(
        actor=None,
        action="regions.load",
        actor_name="system",
        object_repr=DATA_FILE.name,
        after={"created": created, "updated": updated, "revision": SOURCE_REVISION},
    )
    return created, updated
