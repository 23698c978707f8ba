"""Run in a subprocess after `dudao demo` (bench/surge.py's setup step): seat N fictional
reporters (填报员) in the counties' 发改局 of the demo, spread evenly, each with a slot among
the reporters of its office (the simulated user then works on its own share of the grid), and
print the JSON the load needs. Accounts are made as the demo makes its own (a setup step of a
benchmark, not an administrator's work: no second factor, no forced password change)."""

from __future__ import annotations

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from dudao.accounts.models import User  # noqa: E402
from dudao.accounts.roles import Role  # noqa: E402
from dudao.demo.registry import DEMO_PASSWORD  # noqa: E402
from dudao.orgs.models import Organisation  # noqa: E402


def main(count: int) -> dict[str, object]:
    offices = list(Organisation.objects.filter(code__endswith="-FGJ").order_by("code"))
    assert offices, "the demo has no county 发改局"
    password = make_password(DEMO_PASSWORD)
    share = [
        count // len(offices) + (1 if i < count % len(offices) else 0) for i in range(len(offices))
    ]
    users = []
    with transaction.atomic():
        n = 0
        for office, slots in zip(offices, share, strict=True):
            for slot in range(slots):
                username = f"surge_{n:03d}"
                User.objects.create(
                    username=username,
                    full_name=f"高峰填报员{n:03d}",
                    organisation=office,
                    roles=int(Role.REPORTER),
                    title=f"{office.name}科员（压力测试）",
                    password=password,
                    password_changed_at=timezone.now(),
                )
                users.append({"username": username, "slot": slot, "slots": slots})
                n += 1
    return {"password": DEMO_PASSWORD, "users": users}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
