"""The opendata app in the policy matrix test (dudao/core/tests/policy_matrix.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dudao.core.tests.policy_matrix import ObjectArgs, Scope

OBJECTS: dict[str, tuple[Scope, ObjectArgs]] = {}

ALLOWED: dict[tuple[str, str], int] = {}
