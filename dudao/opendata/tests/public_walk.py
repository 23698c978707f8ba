"""Every public output, fetched as an anonymous visitor: the pages (list with each filter,
each project page and its cleared photos, about), the OC4IDS package, the CSV and XLSX
downloads and the JSON API."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from django.test import Client, override_settings
from django.urls import reverse

from dudao.opendata import selectors


def _text(response: object) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    if raw[:2] == b"PK":  # an .xlsx: every XML part
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    if raw[:3] == b"\xff\xd8\xff":  # a published photo: searched byte for byte
        return raw.decode("utf-8", errors="replace")
    return raw.decode("utf-8")


def public_urls(project_ids: list[int]) -> list[str]:
    urls = [
        reverse("open:index"),
        reverse("open:about"),
        reverse("open:oc4ids"),
        reverse("open:csv"),
        reverse("open:xlsx"),
        reverse("open_api:project_list") + "?limit=200",
        reverse("open_api:openapi-json"),
    ]
    choices = selectors.filter_choices()
    for name, values in choices.items():
        urls += [f"{reverse('open:index')}?{name}={value}" for value, _label in values]
    pages = (selectors.public_releases().count() + 29) // 30
    urls += [f"{reverse('open:index')}?page={n}" for n in range(2, pages + 1)]
    releases = {
        r.project_id: r for r in selectors.public_releases().filter(project_id__in=project_ids)
    }
    for pk in project_ids:
        urls.append(reverse("open:project", args=[pk]))
        urls.append(reverse("open_api:project_detail", args=[pk]))
        release = releases.get(pk)
        for photo in release.payload.get("photos") or [] if release else []:
            urls.append(reverse("open:photo", args=[pk, photo["id"]]))
    return urls


def walk(project_ids: list[int]) -> Iterator[tuple[str, int, str, object]]:
    """(url, status, body text, response) for every public URL, with a fresh cookie-less client."""
    client = Client()
    # The per-IP limit is tested on its own (test_public); a walk is one visitor reading all.
    with override_settings(DUDAO_OPENDATA_RATE_PER_MINUTE=100_000):
        for url in public_urls(project_ids):
            response = client.get(url)
            yield url, response.status_code, _text(response), response
