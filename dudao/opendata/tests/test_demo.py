"""The demo city's full publication: its city-level projects are public, no internal value of
any demo project (liaison, phone, leader) appears in any public page or export, and the
OC4IDS package has 0 schema errors in the official review tool (libcoveoc4ids, offline)."""

from __future__ import annotations

import json
import re
from io import StringIO
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command

from dudao.opendata.models import Publication
from dudao.opendata.review import review
from dudao.opendata.tests.public_walk import walk
from dudao.projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> None:
    # In the test's own transaction (rolled back after it), like dudao/evaluation's demo test;
    # the three checks share one load.
    from dudao.demo.services import load_demo

    load_demo(scale="city", reset=True, log=lambda _line: None)


def test_the_demo_publication(demo: None, tmp_path: Any) -> None:
    _publishes_its_city_projects_with_internal_liaisons()
    _no_internal_demo_value_appears_in_any_public_output(tmp_path)
    _the_package_has_no_schema_error(tmp_path)


def _publishes_its_city_projects_with_internal_liaisons() -> None:
    city = Project.objects.filter(level=Project.Level.CITY)
    published = Publication.objects.filter(status=Publication.Status.PUBLISHED)
    assert published.count() == city.count() > 0
    assert not Project.objects.filter(liaison="").exists()
    assert not Project.objects.filter(liaison_phone="").exists()


def _no_internal_demo_value_appears_in_any_public_output(tmp_path: Any) -> None:
    cache.clear()
    secrets: set[str] = set()
    for liaison, phone, leader in Project.objects.values_list(
        "liaison", "liaison_phone", "lead_leader"
    ):
        secrets |= {liaison, phone, leader}
    secrets.discard("")
    pattern = re.compile("|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True)))
    ids = list(
        Publication.objects.filter(status=Publication.Status.PUBLISHED).values_list(
            "project_id", flat=True
        )
    )
    walked = 0
    for url, status, body, _response in walk(ids):
        assert status == 200, url
        leak = pattern.search(body)
        assert leak is None, (url, leak.group(0) if leak else "")
        walked += 1
    assert walked > 2 * len(ids)
    for fmt in ("oc4ids", "csv", "xlsx"):
        out = tmp_path / f"export.{fmt}"
        call_command("opendata", "export", "--format", fmt, "--out", str(out), stdout=StringIO())
        if fmt != "xlsx":
            assert pattern.search(out.read_text(encoding="utf-8-sig")) is None, fmt


def _the_package_has_no_schema_error(tmp_path: Any) -> None:
    out = tmp_path / "projects.json"
    call_command("opendata", "export", "--format", "oc4ids", "--out", str(out), stdout=StringIO())
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (
        len(data["projects"])
        == Publication.objects.filter(status=Publication.Status.PUBLISHED).count()
    )
    result = review(data)
    assert result.schema_errors == [], result.summary()
