"""观摩督导 in the policy matrix test (dudao/core/tests/test_policy_matrix.py).

OBJECTS: URL name → (scope, function(world, actor, ownership) → URL kwargs), for URLs with ids.
ALLOWED: (URL name, method) → the status an allowed, in-scope call with an empty form gets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dudao.core.tests.test_policy_matrix import ObjectArgs, Scope

OBJECTS: dict[str, tuple[Scope, ObjectArgs]] = {}
ALLOWED: dict[tuple[str, str], int] = {}
