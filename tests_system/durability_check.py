"""Run in a subprocess after the load: what the database holds for the durability judges,
and (SQLite) the integrity check, as JSON."""

from __future__ import annotations

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
django.setup()

from django.db import connection  # noqa: E402

from dudao.accounts.models import User  # noqa: E402
from dudao.inspections.models import ScoreCard  # noqa: E402


def _number(user: User | None) -> str:
    return user.username.rsplit("_", 1)[1] if user is not None else "-"


def main() -> dict[str, object]:
    cards = (
        ScoreCard.objects.filter(judge__user__username__startswith="durability_judge_")
        .select_related("judge__user")
        .prefetch_related("scores")
    )
    held = {
        f"{_number(card.judge.user)}:{card.site_id}": {
            "status": card.status,
            "scores": {str(s.criterion_id): int(s.points) for s in card.scores.all()},
        }
        for card in cards
    }
    integrity = "-"
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            integrity = cursor.fetchone()[0]
    return {"cards": held, "integrity": integrity}


if __name__ == "__main__":
    print(json.dumps(main()))
