"""The official OC4IDS review (libcoveoc4ids, pinned in requirements-dev.lock) run offline.

libcove fetches the schema and codelists over HTTP; here every such request is answered from
the vendored copy in dudao/opendata/schema/ (OC4IDS 0.9.5, Apache-2.0) and any other URL is
refused, so the review never touches the network."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"


class OfflineResponse:
    def __init__(self, path: Path) -> None:
        self.content = path.read_bytes()
        self.text = self.content.decode("utf-8")
        self.status_code = 200
        self.encoding = "utf-8"

    def json(self, **kwargs: Any) -> Any:
        return json.loads(self.text, **kwargs)

    def iter_lines(self) -> Any:
        return iter(self.content.splitlines())

    def raise_for_status(self) -> None:
        return None


def _offline_get(url: str, *args: Any, **kwargs: Any) -> OfflineResponse:
    name = url.rsplit("/", 1)[-1]
    for candidate in (SCHEMA_DIR / name, SCHEMA_DIR / "codelists" / name):
        if name and candidate.is_file():
            return OfflineResponse(candidate)
    raise OSError(f"离线检查不访问网络：{url}")


@dataclass
class Review:
    schema_errors: list[dict[str, Any]] = field(default_factory=list)
    additional_checks: dict[str, Any] = field(default_factory=dict)
    codelist_warnings: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "schema_errors": len(self.schema_errors),
            "schema_error_messages": sorted({e["message"] for e in self.schema_errors})[:20],
            "additional_checks": {k: len(v) for k, v in self.additional_checks.items()},
            "codelist_warnings": self.codelist_warnings,
        }


def review(data: dict[str, Any]) -> Review:
    """Run libcoveoc4ids on a project package (a dict) with no network."""
    from libcove.lib import common, tools  # type: ignore[import-untyped]
    from libcoveoc4ids.api import oc4ids_json_output  # type: ignore[import-untyped]

    with (
        mock.patch.object(tools.requests, "get", _offline_get),
        mock.patch.object(common.requests, "get", _offline_get),
    ):
        common.load_core_codelists.cache_clear()
        result = oc4ids_json_output(json_data=data)
    errors = []
    for key, values in result.get("validation_errors") or []:
        info = json.loads(key) if isinstance(key, str) else key
        for value in values:
            errors.append({"message": info.get("message", ""), "path": value.get("path", "")})
    codelist: dict[str, Any] = {}
    for name in ("invalid_closed_codelist_values", "invalid_open_codelist_values"):
        found = result.get(name) or []
        if found:
            codelist[name] = sorted({f"{v.get('path')}={v.get('value')}" for v in found})[:20]
    return Review(
        schema_errors=errors,
        additional_checks=result.get("additional_checks") or {},
        codelist_warnings=codelist,
        raw=result,
    )


def review_file(path: Path) -> Review:
    return review(json.loads(path.read_text(encoding="utf-8")))
