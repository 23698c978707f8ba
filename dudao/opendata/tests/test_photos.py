"""Photos cleared for publication: only a cleared photo of a published project's current
release is shown and served under /open/; clearing and taking it back are audited, make a
new release at once and keep the release history immutable."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError, StaleObject
from dudao.opendata import services
from dudao.opendata.models import PhotoClearance, Publication, Release
from dudao.opendata.tests.conftest import add_photo, published_project
from dudao.testing import World

if TYPE_CHECKING:
    from dudao.projects.models import Project, ReportPhoto

pytestmark = pytest.mark.django_db


def _clear(
    world: World,
    project: Project,
    photo: ReportPhoto,
    *,
    cleared: bool = True,
    reason: str = "",
    version: int | None = None,
) -> PhotoClearance:
    return services.set_photo_clearance(
        actor=world.city_supervisor,
        project_id=project.pk,
        photo_id=photo.pk,
        cleared=cleared,
        caption="主体结构封顶",
        reason=reason,
        version=version,
    )


def _url(project: Project, photo: ReportPhoto) -> str:
    return reverse("open:photo", args=[project.pk, photo.pk])


def _current(project: Project) -> Release:
    release = Publication.objects.get(project=project).current_release
    assert release is not None
    return release


def test_a_photo_never_cleared_is_neither_shown_nor_served(world: World) -> None:
    project = published_project(world)
    photo = add_photo(world, project)
    services.refresh(actor=world.city_supervisor)
    assert "photos" not in _current(project).payload
    page = Client().get(reverse("open:project", args=[project.pk])).content.decode()
    assert "现场照片" not in page
    assert Client().get(_url(project, photo)).status_code == 404
    # a photo id of another project under this project's address: 404 as well
    other = published_project(world)
    other_photo = add_photo(world, other)
    _clear(world, other, other_photo)
    assert Client().get(reverse("open:photo", args=[project.pk, other_photo.pk])).status_code == 404


def test_clearing_releases_the_photo_with_caption_and_date_without_uploader_or_gps(
    world: World,
) -> None:
    project = published_project(world)
    photo = add_photo(world, project)
    before = _current(project).seq
    _clear(world, project, photo)
    release = _current(project)
    assert release.seq == before + 1  # a new release, the old one untouched
    assert Release.objects.get(project=project, seq=before).payload.get("photos") is None
    assert release.payload["photos"] == [
        {
            "id": photo.pk,
            "caption": "主体结构封顶",
            "period": "2026年2月",
            "date": timezone.localdate(photo.created_at).isoformat(),
            "width": 80,
            "height": 60,
        }
    ]
    page = Client().get(reverse("open:project", args=[project.pk])).content.decode()
    assert "主体结构封顶" in page
    assert "2026年2月" in page
    assert _url(project, photo) in page
    reporter = world.county_a_reporter
    for name in {str(reporter), reporter.username, reporter.full_name} - {""}:
        assert name not in page
    response = Client().get(_url(project, photo))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "public" in response["Cache-Control"]
    assert response.has_header("ETag")
    assert not response.cookies
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert Image.open(io.BytesIO(body)).getexif() == {}  # no GPS, no metadata at all
    assert AuditEvent.objects.filter(action="opendata.photo_clear").count() == 1
    api = Client().get(reverse("open_api:project_detail", args=[project.pk])).json()
    assert [(p["caption"], p["url"]) for p in api["photos"]] == [
        ("主体结构封顶", _url(project, photo))
    ]


def test_a_cleared_photo_of_an_unpublished_project_waits_for_its_publication(
    world: World,
) -> None:
    from dudao.projects.testing import make_project

    project = make_project(world)
    photo = add_photo(world, project)
    _clear(world, project, photo)
    assert Client().get(_url(project, photo)).status_code == 404
    services.publish(actor=world.city_supervisor, project_id=project.pk)
    assert [p["id"] for p in _current(project).payload["photos"]] == [photo.pk]
    assert Client().get(_url(project, photo)).status_code == 200


def test_unclearing_needs_a_reason_and_a_fresh_version_then_the_photo_is_gone(
    world: World,
) -> None:
    project = published_project(world)
    photo = add_photo(world, project)
    with pytest.raises(DomainError):  # nothing to take back yet
        _clear(world, project, photo, cleared=False, reason="误传", version=0)
    row = _clear(world, project, photo)
    assert _clear(world, project, photo).version == row.version  # unchanged: no new version
    seq = _current(project).seq
    with pytest.raises(DomainError):
        _clear(world, project, photo, cleared=False, reason=" ", version=row.version)
    with pytest.raises(StaleObject):
        _clear(world, project, photo, cleared=False, reason="涉及施工人员面部", version=99)
    _clear(world, project, photo, cleared=False, reason="涉及施工人员面部", version=row.version)
    release = _current(project)
    assert release.seq == seq + 1
    assert "photos" not in release.payload
    assert Release.objects.get(project=project, seq=seq).payload["photos"]  # history kept
    assert Client().get(_url(project, photo)).status_code == 404
    page = Client().get(reverse("open:project", args=[project.pk])).content.decode()
    assert "主体结构封顶" not in page
    event = AuditEvent.objects.get(action="opendata.photo_unclear")
    assert event.reason == "涉及施工人员面部"


def test_a_withdrawn_projects_photos_are_404(world: World) -> None:
    project = published_project(world)
    photo = add_photo(world, project)
    _clear(world, project, photo)
    assert Client().get(_url(project, photo)).status_code == 200
    services.withdraw(actor=world.city_supervisor, project_id=project.pk, reason="项目调整")
    assert Client().get(_url(project, photo)).status_code == 404


def test_out_of_scope_and_foreign_photos_are_refused(world: World) -> None:
    from django.http import Http404

    project = published_project(world)
    photo = add_photo(world, project)
    from dudao.accounts.models import User
    from dudao.core.exceptions import NotAllowed
    from dudao.core.roles import Role
    from dudao.testing import add_user

    with pytest.raises(NotAllowed):  # only a supervisor decides
        services.set_photo_clearance(
            actor=world.county_a_reviewer, project_id=project.pk, photo_id=photo.pk, cleared=True
        )
    outsider: User = add_user(world, world.county_b, Role.SUPERVISOR)
    with pytest.raises(Http404):  # a county B supervisor cannot see a county A project
        services.set_photo_clearance(
            actor=outsider, project_id=project.pk, photo_id=photo.pk, cleared=True
        )
    other = published_project(world)
    with pytest.raises(DomainError):
        services.set_photo_clearance(
            actor=world.city_supervisor, project_id=other.pk, photo_id=photo.pk, cleared=True
        )
    assert not PhotoClearance.objects.exists()


def test_the_supervisor_ticks_a_photo_on_the_publication_page(client: Client, world: World) -> None:
    project = published_project(world)
    photo = add_photo(world, project)
    client.force_login(world.city_supervisor)
    page = client.get(reverse("opendata:detail", args=[project.pk])).content.decode()
    action = reverse("opendata:photo_clearance", args=[project.pk, photo.pk])
    assert action in page
    assert "准许公开" in page
    client.post(action, {"cleared": "1", "caption": "", "version": "0"})
    assert _current(project).payload["photos"][0]["caption"] == "2026年2月现场照片"
    # a second tab with the old version: refused, nothing changes
    response = client.post(action, {"reason": "误传", "version": "0"}, follow=True)
    assert "已被他人修改" in response.content.decode()
    assert PhotoClearance.objects.get(photo_id=photo.pk).cleared
