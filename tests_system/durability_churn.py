"""Run in a subprocess during the load: another process (as the job worker and command-line
tools are) that opens the database, writes one small transaction and closes, over and over."""

from __future__ import annotations

import os
import random
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from dudao.accounts.models import ApiToken  # noqa: E402


def main(seconds: float) -> int:
    end = time.monotonic() + seconds
    rng = random.Random(7)
    writes = 0
    while time.monotonic() < end:
        with transaction.atomic():
            token = ApiToken.objects.filter(name="durability").order_by("?").first()
            assert token is not None
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        connection.close()
        writes += 1
        time.sleep(rng.uniform(0.05, 0.4))
    return writes


if __name__ == "__main__":
    print(main(float(sys.argv[1])))
