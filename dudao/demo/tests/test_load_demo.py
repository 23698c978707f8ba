"""The demo city 示范市 on an empty database: deterministic, only known scales, a reset in one
transaction. What one loaded city must hold: test_demo_city.py."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from dudao.accounts.models import User
from dudao.demo.registry import DemoContext
from dudao.demo.services import load_demo
from dudao.orgs.models import Organisation
from dudao.testing import setup_atomic

pytestmark = pytest.mark.django_db


def _quiet(message: str) -> None:
    pass


def _fingerprint() -> dict[str, Any]:
    """Everything the demo wrote, without database ids (sequences differ between runs)."""
    orgs = {o.pk: o for o in Organisation.objects.all()}
    return {
        "orgs": sorted(
            (
                o.code,
                o.name,
                o.short_name,
                o.kind,
                o.depth,
                o.scope_base,
                o.sort_order,
                orgs[o.parent_id].code if o.parent_id else None,
            )
            for o in orgs.values()
        ),
        "users": sorted(
            (u.username, u.full_name, u.organisation.code, u.roles, u.title)
            for u in User.objects.all()
        ),
    }


def _load_and_roll_back(seed: int) -> tuple[dict[str, Any], dict[str, int]]:
    with setup_atomic():  # a test-setup block: the durable load may run inside it
        ctx = load_demo(seed=seed, log=_quiet)
        fingerprint = _fingerprint()
        transaction.set_rollback(True)
    return fingerprint, ctx.counts


def test_it_generates_the_same_city_for_the_same_seed() -> None:
    first, first_counts = _load_and_roll_back(seed=7)
    assert not Organisation.objects.exists()
    second, second_counts = _load_and_roll_back(seed=7)
    assert first == second
    assert first_counts == second_counts
    assert {k: first_counts[k] for k in ("parks", "organisations", "users")} == {
        "parks": 18,
        "organisations": 44,
        "users": 11,  # the printed accounts (the cockpit's demo adds nine county leaders)
    }


def test_it_refuses_an_unknown_scale() -> None:
    with pytest.raises(ValueError, match="未知规模 town，可选：city、province"):
        load_demo(scale="town", log=_quiet)


def _all_counts() -> dict[str, int]:
    """How many rows every model holds (the whole database, reference data included)."""
    from django.apps import apps

    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_a_reset_is_one_transaction_and_can_be_repeated(monkeypatch: pytest.MonkeyPatch) -> None:
    load_demo(seed=5, log=_quiet)
    before, fingerprint = _all_counts(), _fingerprint()
    assert before["demo.DemoLoad"] == 1

    # A failure injected mid-generation (after the platform, projects and supervision
    # generators ran on the emptied database) leaves the previous data intact.
    from dudao.demo import services
    from dudao.demo.registry import Generator, ordered

    def broken(ctx: DemoContext) -> None:
        raise RuntimeError("injected")

    with_failure = [*ordered(), Generator(45, "broken", broken)]
    monkeypatch.setattr(services, "ordered", lambda: sorted(with_failure, key=lambda g: g.order))
    with pytest.raises(RuntimeError, match="injected"):
        load_demo(seed=5, reset=True, log=_quiet)
    assert _all_counts() == before
    monkeypatch.undo()

    # Twice in a row: each reset rebuilds the same city, reference data included.
    call_command("demo", "--reset", "--seed", "5", stdout=StringIO())
    load_demo(seed=5, reset=True, log=_quiet)
    assert _all_counts() == before
    assert _fingerprint() == fingerprint
