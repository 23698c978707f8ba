"""Publication as a decision: releases are immutable snapshots, a change makes a new release,
withdrawal and field classes are audited services, personal data is never public."""

from __future__ import annotations

import pytest
from django.http import Http404

from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError, StaleObject
from dudao.opendata import services
from dudao.opendata.fields import CATALOGUE
from dudao.opendata.models import FieldClass, ImmutableRelease, Publication, Release
from dudao.opendata.tests.conftest import LIAISON, PHONE, published_project
from dudao.testing import World

pytestmark = pytest.mark.django_db


def test_the_seeded_field_classes_match_the_catalogue() -> None:
    rows = {f.key: f for f in FieldClass.objects.all()}
    assert set(rows) == {spec.key for spec in CATALOGUE}
    for spec in CATALOGUE:
        assert rows[spec.key].is_public == spec.public_by_default, spec.key
        assert rows[spec.key].locked_internal == spec.locked_internal, spec.key
        assert rows[spec.key].category == spec.category, spec.key


def test_publishing_stores_a_release_without_personal_data(world: World) -> None:
    project = published_project(world)
    pub = Publication.objects.get(project=project)
    assert pub.status == Publication.Status.PUBLISHED
    release = pub.current_release
    assert release is not None
    assert release.seq == 1
    text = str(release.payload)
    assert project.name in text
    assert LIAISON not in text
    assert PHONE not in text
    event = AuditEvent.objects.filter(action="opendata.publish").latest("pk")
    assert event.object_repr == project.name


def test_an_unchanged_project_makes_no_new_release_and_a_change_does(world: World) -> None:
    from dudao.projects import services as project_services

    project = published_project(world)
    services.publish(actor=world.city_supervisor, project_id=project.pk)
    assert Release.objects.filter(project=project).count() == 1
    project_services.update_project(
        actor=world.city_supervisor, project=project, name="改名后的项目"
    )
    assert services.refresh(actor=world.city_supervisor) == 1
    releases = list(Release.objects.filter(project=project).order_by("seq"))
    assert [r.seq for r in releases] == [1, 2]
    assert releases[0].title != "改名后的项目"  # the first release is kept as it was
    assert releases[1].title == "改名后的项目"
    assert Publication.objects.get(project=project).current_release == releases[1]


def test_a_release_can_be_neither_edited_nor_deleted(world: World) -> None:
    project = published_project(world)
    release = Release.objects.get(project=project)
    release.title = "篡改"
    with pytest.raises(ImmutableRelease):
        release.save()
    with pytest.raises(ImmutableRelease):
        release.delete()
    with pytest.raises(ImmutableRelease):
        Release.objects.filter(pk=release.pk).update(title="篡改")
    with pytest.raises(ImmutableRelease):
        Release.objects.filter(pk=release.pk).delete()
    assert Release.objects.get(pk=release.pk).title == project.name


def test_withdrawal_needs_a_reason_a_fresh_version_and_is_audited(world: World) -> None:
    project = published_project(world)
    pub = Publication.objects.get(project=project)
    with pytest.raises(DomainError):
        services.withdraw(actor=world.city_supervisor, project_id=project.pk, reason=" ")
    with pytest.raises(StaleObject):
        services.withdraw(
            actor=world.city_supervisor, project_id=project.pk, reason="信息有误", version=99
        )
    services.withdraw(
        actor=world.city_supervisor, project_id=project.pk, reason="信息有误", version=pub.version
    )
    assert Publication.objects.get(project=project).status == Publication.Status.WITHDRAWN
    assert AuditEvent.objects.filter(action="opendata.withdraw", reason="信息有误").exists()


def test_a_project_out_of_scope_cannot_be_published(world: World) -> None:
    from dudao.projects.testing import make_project

    project = make_project(world, county=world.county_b)
    with pytest.raises(Http404):
        services.publish(actor=world.county_a_reviewer, project_id=project.pk)


def test_personal_fields_can_never_be_made_public(world: World) -> None:
    for key in ("liaison", "liaison_phone", "lead_leader"):
        with pytest.raises(DomainError):
            services.set_field_class(actor=world.city_supervisor, key=key, public=True)
    with pytest.raises(DomainError):
        services.set_field_class(actor=world.city_supervisor, key="name", public=False)
    assert not FieldClass.objects.filter(locked_internal=True, is_public=True).exists()


def test_making_a_field_internal_republishes_without_it(world: World) -> None:
    project = published_project(world)
    services.set_field_class(actor=world.city_supervisor, key="builder_name", public=False)
    current = Publication.objects.get(project=project).current_release
    assert current is not None
    assert current.seq == 2
    assert "builder_name" not in current.payload["fields"]
    assert "示范市测试建设有限公司" not in str(current.payload)
    assert AuditEvent.objects.filter(action="opendata.field_class").exists()


def test_the_database_refuses_to_update_a_release(world: World) -> None:
    from django.db import DatabaseError, connection, transaction

    project = published_project(world)
    release = Release.objects.get(project=project)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE opendata_release SET title = %s WHERE id = %s", ["篡改", release.pk])
    assert Release.objects.get(pk=release.pk).title == project.name
