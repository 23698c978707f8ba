"""Run in a subprocess against the durability test's own database (after `dudao demo`):
seat N judges with API tokens on a tour opened for scoring, a token for a churn writer, and
print the JSON the load needs (tokens, sites with their criteria)."""

from __future__ import annotations

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
django.setup()

from django.db import transaction  # noqa: E402

from dudao.accounts.models import User  # noqa: E402
from dudao.accounts.roles import Role  # noqa: E402
from dudao.accounts.services import create_api_token  # noqa: E402
from dudao.inspections.models import Criterion, Judge, Site, Tour  # noqa: E402
from dudao.orgs.models import Organisation  # noqa: E402


def main(judges: int) -> dict[str, object]:
    tour = Tour.objects.order_by("-pk").first()
    assert tour is not None, "the demo has no tour"
    city_office = Organisation.objects.get(name="示范市发展和改革委员会")
    tokens = []
    with transaction.atomic():
        Tour.objects.filter(pk=tour.pk).update(status=Tour.Status.SCORING)
        for i in range(judges):
            user = User.objects.create(
                username=f"durability_judge_{i}",
                full_name=f"压力测试评委{i}",
                organisation=city_office,
                roles=int(Role.JUDGE),
            )
            Judge.objects.create(tour=tour, user=user, county=None)
            tokens.append(create_api_token(actor=user, name="durability")[1])
    sites = [
        {
            "id": site.pk,
            "criteria": [
                [c.pk, int(c.max_points)] for c in Criterion.objects.filter(sheet_id=site.sheet_id)
            ],
        }
        for site in Site.objects.filter(tour=tour).order_by("pk")
    ]
    return {"tour": tour.pk, "tokens": tokens, "sites": sites}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
