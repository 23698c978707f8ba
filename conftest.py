"""Shared pytest fixtures: the test world (built once per module), request metadata, cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from pytest_django import DjangoDbBlocker

from dudao.core import requestmeta
from dudao.testing import World, build_world, setup_atomic
from dudao.testing.dbtemplate import migrate_once

TEST_REQUEST_ID = "test-request-0001"
TEST_IP = "192.0.2.10"
CACHE = ".pytest_cache/dudao-db"  # the migrated copies (gitignored with .pytest_cache)


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: DjangoDbBlocker,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """pytest-django's test databases, migrated once per code version and copied for every
    other worker and run (dudao/testing/dbtemplate.py)."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock(), migrate_once(Path(str(request.config.rootpath)) / CACHE):
        config = setup_databases(
            verbosity=verbosity,
            interactive=False,
            aliases=aliases,  # type: ignore[arg-type]  # a set, as pytest-django passes it
            serialized_aliases=serialized_aliases,
        )
    yield
    with django_db_blocker.unblock():
        try:
            teardown_databases(config, verbosity=verbosity)
        except Exception as exc:  # as pytest-django: a warning, not an error
            # A live server's threads may still hold sessions on PostgreSQL ("being accessed by
            # other users"); the tests have passed, the database is dropped by the next run.
            request.node.warn(
                pytest.PytestWarning(f"Error when trying to teardown test databases: {exc!r}")
            )


@pytest.fixture(scope="module")
def world_once(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    """Build the world once per test module inside a transaction rolled back at its end.

    This is Django's `setUpTestData` for pytest (the block is a test-setup block, so the
    durable services run inside it): each test then runs in a savepoint
    (`django_db` mark) and sees the world as built. Modules that need an empty database
    or `transaction=True` must not use it.
    """
    with django_db_blocker.unblock(), setup_atomic():
        world = build_world()
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world(world_once: World) -> World:
    """The test world with fresh instances (a test may change them freely)."""
    return world_once.reload()


@pytest.fixture(autouse=True, scope="session")
def _static_files_on_demand() -> None:
    """Let WhiteNoise look static files up per request instead of scanning them all again
    for each test client (it scans at start-up when not auto-refreshing: ~15 ms a test)."""
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Start every test with an empty cache (demo-mode flag, rate counters)."""
    cache.clear()


@pytest.fixture
def request_meta() -> Iterator[requestmeta.RequestMeta]:
    """Bind a known request id and IP, as RequestIdMiddleware does for a request."""
    meta = requestmeta.RequestMeta(request_id=TEST_REQUEST_ID, ip=TEST_IP)
    token = requestmeta.bind(meta)
    yield meta
    requestmeta.unbind(token)
