"""Run in a subprocess against the fuzz test's own database (after `dudao demo`): an API token
for each role the fuzzer acts as, printed as JSON."""

from __future__ import annotations

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
django.setup()

from dudao.accounts.models import User  # noqa: E402
from dudao.accounts.services import create_api_token  # noqa: E402

# The city's supervision office, a county reporter and a leader: three roles, two scopes.
ACCOUNTS = {"supervisor": "demo_supervisor", "reporter": "demo_reporter", "leader": "demo_leader"}


def main() -> dict[str, str]:
    return {
        role: create_api_token(actor=User.objects.get(username=username), name="fuzz")[1]
        for role, username in ACCOUNTS.items()
    }


if __name__ == "__main__":
    print(json.dumps(main()))
