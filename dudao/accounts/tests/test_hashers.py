"""The production password hasher: Django's Argon2 (same name, parameters and stored hashes),
computed on one thread per process (issue 19 item 1, the deadline surge)."""

from __future__ import annotations

import threading
from contextlib import ExitStack
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client

from dudao.accounts import hashers
from dudao.accounts.hashers import QueuedArgon2PasswordHasher
from dudao.accounts.views import LOGIN_BUSY, LOGIN_BUSY_RETRY_SECONDS
from dudao.testing import World, login_form

PASSWORD = "Surge-口令-2026"


def test_production_hasher_is_django_argon2_with_the_same_parameters() -> None:
    assert settings.PRODUCTION_PASSWORD_HASHERS[0] == (
        "dudao.accounts.hashers.QueuedArgon2PasswordHasher"
    )
    ours, django = QueuedArgon2PasswordHasher(), Argon2PasswordHasher()
    assert ours.algorithm == django.algorithm == "argon2"
    assert (ours.time_cost, ours.memory_cost, ours.parallelism) == (
        django.time_cost,
        django.memory_cost,
        django.parallelism,
    )


def test_hashes_are_djangos_byte_for_byte_and_run_on_the_hashing_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ours, django = QueuedArgon2PasswordHasher(), Argon2PasswordHasher()
    seen: list[str] = []
    raw = hashers.argon2_raw

    def spy(*args: Any) -> bytes:
        seen.append(threading.current_thread().name)
        return raw(*args)

    monkeypatch.setattr(hashers, "argon2_raw", spy)
    salt = django.salt()
    stored = django.encode(PASSWORD, salt)  # a hash made before this hasher existed
    assert ours.encode(PASSWORD, salt) == stored  # one thread for 8 lanes: the same bytes
    assert ours.verify(PASSWORD, stored)
    assert not ours.verify(PASSWORD + "x", stored)
    assert not ours.verify(PASSWORD, stored[:-4] + "AAAA")
    assert not ours.verify(PASSWORD, "argon2$argon2id$garbage")
    mine = ours.encode("", ours.salt())
    assert not ours.must_update(mine)
    assert django.verify("", mine)
    assert len(seen) == 5
    assert all(name.startswith("argon2") for name in seen)


@pytest.mark.django_db
def test_a_login_beyond_the_process_slots_is_asked_to_wait_and_not_counted(
    client: Client, world: World
) -> None:
    with ExitStack() as held:
        while held.enter_context(hashers.login_slot()):  # take every slot of this process
            pass
        busy = login_form(client, world.county_a_reporter.username)
        assert busy.status_code == 503
        assert busy["Retry-After"] == str(LOGIN_BUSY_RETRY_SECONDS)
        assert LOGIN_BUSY in busy.content.decode()
        assert "_auth_user_id" not in client.session
    assert not AccessAttempt.objects.exists()  # the password was not checked: no failure
    done = login_form(client, world.county_a_reporter.username)
    assert done.status_code == 302
    assert client.session["_auth_user_id"] == str(world.county_a_reporter.pk)
