"""The daily digest's extension point: modules above 督查督办 (which it may not import) register
a source of lines per responsible unit in their AppConfig.ready(); `jobs.send_digests` calls
each one every day and appends its lines to the unit's digest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

DigestSource = Callable[[date], dict[int, list[str]]]

_SOURCES: dict[str, DigestSource] = {}


def register_digest_source(key: str, source: DigestSource) -> None:
    """Register (or replace, by `key`) a callable returning {organisation id: lines} for a day."""
    _SOURCES[key] = source


def digest_sources() -> list[DigestSource]:
    """The registered sources, in registration order."""
    return list(_SOURCES.values())
