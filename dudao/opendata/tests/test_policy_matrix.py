"""The access matrix for this module's URLs (see dudao/core/tests/policy_matrix.py).

The objects and expected answers are in matrix.py beside this file.
"""

from __future__ import annotations

import pytest

from dudao.core.tests.policy_matrix import (
    Matrix,
    build_matrix,
    cases,
    check_policy,
    check_unlisted_method,
    unlisted_methods,
)
from dudao.testing import World

pytestmark = pytest.mark.django_db
APP = "opendata"


@pytest.fixture(scope="module")
def matrix(world_once: World) -> Matrix:
    return build_matrix(world_once, APP)


@pytest.mark.parametrize(("name", "method"), cases(APP))
def test_it_applies_the_policy(matrix: Matrix, name: str, method: str) -> None:
    check_policy(matrix, name, method)


@pytest.mark.parametrize(("name", "method"), unlisted_methods(APP))
def test_it_answers_405_to_a_method_the_policy_does_not_list(
    matrix: Matrix, name: str, method: str
) -> None:
    check_unlisted_method(matrix, name, method)
