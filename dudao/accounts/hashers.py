"""Argon2 with Django's parameters, computed off the request threads, one thread a process.

One Argon2 hash (Django's time_cost=2, memory_cost=102400 KiB, parallelism=8) costs about a
quarter of a CPU second and 100 MB. At the monthly deadline hundreds of reporters log in
within minutes on a 2-core server. Hashed on the request threads, with libargon2 starting one
OS thread per lane, 6 logins at once were 48 runnable threads against the one thread of a
page or a save: the logins took both cores and everything queued behind them
(the "before" figures: bench/results/surge.md at commit 13b23aa).

Here each process hashes on one thread of its own, one password at a time and all 8 lanes on
that thread: at most one hash's CPU and memory per process, whatever the crowd. At most
LOGINS_PER_PROCESS logins hold a request thread while they wait for it (`login_slot`); the
others are asked at once to try again in a few seconds, so pages and saves keep the other
threads. (A lower scheduling priority for the hashing thread was tried and dropped: on a
saturated host, nice 10 let only 46 of 300 reporters in within 10 minutes.)

The algorithm, its parameters and the encoded hashes are those of Django's
Argon2PasswordHasher, byte for byte: nothing is weakened, existing hashes verify unchanged.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

import argon2
from argon2.low_level import core, error_to_str, ffi
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher

T = TypeVar("T")
ARGON2_OK = 0  # argon2.h: enum Argon2_ErrorCodes
ARGON2_DEFAULT_FLAGS = 0  # argon2.h
_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_pid = 0


def _hashing_pool() -> ThreadPoolExecutor:
    """The process's hashing thread (made again after a fork: threads do not survive one)."""
    global _pool, _pool_pid  # noqa: PLW0603 - one pool per process
    with _lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="argon2")
            _pool_pid = os.getpid()
        return _pool


def on_hashing_thread(func: Callable[..., T], *args: Any) -> T:
    """Run func on the process's hashing thread and wait for its result."""
    return _hashing_pool().submit(func, *args).result()


_slots_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None
_slots_pid = 0


@contextmanager
def login_slot() -> Iterator[bool]:
    """Yield True while this request holds one of the process's login slots, False when all
    are taken (the caller answers "请稍候" without checking the password).

    A login waits on the hashing thread while holding a request thread; without a bound, a
    crowd of logins would hold every thread and the pages and saves would queue behind them.
    """
    global _slots, _slots_pid  # noqa: PLW0603 - one semaphore per process
    with _slots_lock:
        if _slots is None or _slots_pid != os.getpid():
            _slots = threading.BoundedSemaphore(settings.LOGINS_PER_PROCESS)
            _slots_pid = os.getpid()
        slots = _slots
    if not slots.acquire(blocking=False):
        yield False
        return
    try:
        yield True
    finally:
        slots.release()


def argon2_raw(password: bytes, salt: bytes, params: argon2.Parameters) -> bytes:
    """The raw Argon2 hash, every lane computed on the calling thread.

    The bytes are those of ``argon2.low_level.hash_secret_raw`` (the lanes, and so the hash,
    are the parameters' parallelism); that function also starts one OS thread per lane, 8 for
    Django's parameters, which on a 2-core server only adds threads competing for the cores.
    """
    out = ffi.new("uint8_t[]", params.hash_len)
    secret = ffi.new("uint8_t[]", password)
    csalt = ffi.new("uint8_t[]", salt)
    context = ffi.new(
        "argon2_context *",
        {
            "version": params.version,
            "out": out,
            "outlen": params.hash_len,
            "pwd": secret,
            "pwdlen": len(password),
            "salt": csalt,
            "saltlen": len(salt),
            "secret": ffi.NULL,
            "secretlen": 0,
            "ad": ffi.NULL,
            "adlen": 0,
            "t_cost": params.time_cost,
            "m_cost": params.memory_cost,
            "lanes": params.parallelism,
            "threads": 1,
            "allocate_cbk": ffi.NULL,
            "free_cbk": ffi.NULL,
            "flags": ARGON2_DEFAULT_FLAGS,
        },
    )
    code = core(context, params.type.value)
    if code != ARGON2_OK:
        raise argon2.exceptions.HashingError(error_to_str(code))
    return bytes(ffi.buffer(out, params.hash_len))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


class QueuedArgon2PasswordHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (same algorithm name, parameters and encoded form), computed on
    the process's hashing thread, one OS thread per hash."""

    def encode(self, password: str, salt: str) -> str:
        params: argon2.Parameters = self.params()  # type: ignore[attr-defined]  # not in the stubs
        raw = on_hashing_thread(argon2_raw, password.encode(), salt.encode(), params)
        return (
            f"{self.algorithm}$argon2{params.type.name.lower()}$v={params.version}"
            f"$m={params.memory_cost},t={params.time_cost},p={params.parallelism}"
            f"${_b64(salt.encode())}${_b64(raw)}"
        )

    def verify(self, password: str, encoded: str) -> bool:
        algorithm, rest = encoded.split("$", 1)
        assert algorithm == self.algorithm  # noqa: S101 - as Django's own hasher
        try:
            params = argon2.extract_parameters("$" + rest)
            *_, salt, expected = rest.split("$")
            salt_bytes, expected_bytes = _unb64(salt), _unb64(expected)
        except (argon2.exceptions.InvalidHashError, ValueError, binascii.Error):
            return False
        raw = on_hashing_thread(argon2_raw, password.encode(), salt_bytes, params)
        return hmac.compare_digest(raw, expected_bytes)
