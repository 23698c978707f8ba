"""The system tests' run-wide set-up: one key per test run for the stacks' shared starting
point (tests_system/stack.py), set in the controlling pytest process before xdist starts its
workers (they inherit the environment), and the copies removed when the run ends."""

from __future__ import annotations

import os

import pytest

from tests_system.stack import TEMPLATE_KEY, drop_template

_OWNER = pytest.StashKey[bool]()  # this process set the key, so it removes the copies


def _controls_the_run(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")  # xdist's workers have it, the controller not


def pytest_configure(config: pytest.Config) -> None:
    if _controls_the_run(config) and not os.environ.get(TEMPLATE_KEY):
        os.environ[TEMPLATE_KEY] = str(os.getpid())
        config.stash[_OWNER] = True


def pytest_unconfigure(config: pytest.Config) -> None:
    if config.stash.get(_OWNER, False):
        drop_template(os.environ.pop(TEMPLATE_KEY))
