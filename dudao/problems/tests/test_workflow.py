"""The problem workflow: every transition × role × own/other unit, the other-organisation rule
for verification, counted returns and reopenings, and bad input that writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import pytest
from django.http import Http404
from django.utils import timezone

from dudao.accounts.models import User
from dudao.audit.models import AuditEvent
from dudao.core.exceptions import (
    DomainError,
    InvalidTransition,
    NotAllowed,
    StaleObject,
)
from dudao.core.uploads import UploadRejected
from dudao.orgs.models import Organisation
from dudao.problems import services
from dudao.problems.models import Problem, ProblemEvent, ProblemEvidence
from dudao.problems.tests.factories import (
    add_after_photo,
    category,
    make_problem,
    photo_bytes,
    scope_root,
    walk,
)
from dudao.testing import ACTORS, COUNTY_ACTORS, ActorName, World

pytestmark = pytest.mark.django_db

S = Problem.Status
Outcome = Literal["ok", "forbidden", "not_found"]

# The state each action starts from.
SOURCE = {
    "start": S.ASSIGNED,
    "progress": S.FIXING,
    "apply": S.FIXING,
    "verify": S.APPLIED,
    "close": S.VERIFYING,
    "return": S.APPLIED,
    "reopen": S.CLOSED,
}
TARGET = {
    "start": S.FIXING,
    "progress": S.FIXING,
    "apply": S.APPLIED,
    "verify": S.VERIFYING,
    "close": S.CLOSED,
    "return": S.FIXING,
    "reopen": S.FIXING,
}
FIXER_ACTORS = {"county_a_reporter", "county_a_reviewer", "park_reporter", "county_b_reporter"}


def _unit(world: World, actor: ActorName, ownership: str) -> Organisation:
    """Own: a county actor's scope root (county A for city-level actors); other: another county."""
    if ownership == "other":
        return world.other_county(actor)
    if actor in COUNTY_ACTORS:
        return scope_root(world.actor(actor))
    return world.county_a


def _fixer_for(world: World, unit: Organisation) -> User:
    return (
        world.county_b_reporter
        if unit.path.startswith(world.county_b.path)
        else (world.county_a_reviewer)
    )


def in_state(world: World, unit: Organisation, status: str) -> Problem:
    """A problem assigned to `unit`, moved by its fixer and the city 督查室 to `status`."""
    problem = make_problem(world, unit)
    fixer = _fixer_for(world, unit)
    supervisor = world.city_supervisor
    path = [
        (S.FIXING, fixer, "start", ""),
        (S.APPLIED, fixer, "apply", "整改完成"),
        (S.VERIFYING, supervisor, "verify", ""),
        (S.CLOSED, supervisor, "close", "核查属实"),
    ]
    for _target, actor, action, note in path:
        if problem.status == status:
            break
        if action == "apply":
            services.add_evidence(
                actor=fixer, problem=problem, stage="after", data=photo_bytes(), filename="a.jpg"
            )
        problem = services.transition(actor=actor, problem=problem, action=action, note=note)
    assert problem.status == status
    return problem


def expected(action: str, actor: ActorName, ownership: str) -> Outcome:
    side = services.TRANSITIONS[action].side
    if side == "fixer":
        if actor not in FIXER_ACTORS:
            return "forbidden"
        return "ok" if ownership == "own" else "not_found"
    if side == "verifier":
        if actor == "city_supervisor":
            return "ok"
        if actor == "county_a_reviewer":
            return "forbidden" if ownership == "own" else "not_found"
        return "forbidden"
    return "ok" if actor == "city_supervisor" else "forbidden"


CASES = [
    (action, actor, ownership)
    for action in SOURCE
    for actor in ACTORS
    for ownership in ("own", "other")
]


@pytest.mark.parametrize(("action", "actor", "ownership"), CASES)
def test_every_transition_by_every_role_on_own_and_other_unit(
    world: World, action: str, actor: ActorName, ownership: str
) -> None:
    unit = _unit(world, actor, ownership)
    problem = in_state(world, unit, SOURCE[action])
    if action == "apply" and actor in FIXER_ACTORS and ownership == "own":
        add_after_photo(world, problem, world.actor(actor))
    events = AuditEvent.objects.count()
    outcome = expected(action, actor, ownership)
    deadline = timezone.localdate() + dt.timedelta(days=10)

    def call() -> Problem:
        return services.transition(
            actor=world.actor(actor),
            problem=problem,
            action=action,
            version=problem.version,
            note="说明",
            deadline=deadline,
        )

    if outcome == "ok":
        after = call()
        assert after.status == TARGET[action]
        assert after.version == problem.version + 1
        assert AuditEvent.objects.count() == events + 1
        assert AuditEvent.objects.latest("id").action == f"problem.{action}"
        assert after.events.latest("id").action == action
        return
    with pytest.raises(NotAllowed if outcome == "forbidden" else Http404):
        call()
    assert AuditEvent.objects.count() == events
    assert Problem.objects.get(pk=problem.pk).status == SOURCE[action]


@pytest.mark.parametrize("action", list(SOURCE))
def test_an_action_from_the_wrong_state_is_an_invalid_transition(world: World, action: str) -> None:
    wrong = {S.ASSIGNED: S.CLOSED, S.FIXING: S.ASSIGNED, S.APPLIED: S.FIXING}
    state = wrong.get(SOURCE[action], S.ASSIGNED)
    problem = in_state(world, world.county_a, state)
    side = services.TRANSITIONS[action].side
    actor = world.county_a_reviewer if side == "fixer" else world.city_supervisor
    events = AuditEvent.objects.count()
    with pytest.raises(InvalidTransition) as exc:
        services.transition(actor=actor, problem=problem, action=action, note="x")
    assert exc.value.status_code == 409
    assert f"问题当前为“{S(state).label}”" in exc.value.message
    assert AuditEvent.objects.count() == events


def test_the_fixing_unit_cannot_verify_its_own_fix(world: World) -> None:
    problem = in_state(world, world.county_a, S.APPLIED)
    with pytest.raises(NotAllowed) as exc:
        services.transition(
            actor=world.county_a_reviewer, problem=problem, action="close", note="好"
        )
    assert exc.value.message == (
        "核查必须由整改单位以外的单位进行：您所在的“甲县人民政府”是本问题的责任单位“甲县人民政府”，"
        "不能核查自己整改的问题。"
    )
    assert Problem.objects.get(pk=problem.pk).status == S.APPLIED


def test_a_county_verifies_its_park_but_not_what_it_applied_for_itself(world: World) -> None:
    # The park committee fixed and applied: the county government (another unit) may verify.
    fixed_by_park = make_problem(world, world.park_a)
    services.transition(actor=world.park_reporter, problem=fixed_by_park, action="start")
    add_after_photo(world, fixed_by_park, world.park_reporter)
    services.transition(
        actor=world.park_reporter, problem=fixed_by_park, action="apply", note="完成"
    )
    closed = services.transition(
        actor=world.county_a_reviewer, problem=fixed_by_park, action="close", note="县里核查属实"
    )
    assert closed.status == S.CLOSED
    assert closed.verifier_org == world.county_a
    # The county itself applied for the park's problem: it may not verify its own application.
    applied_by_county = make_problem(world, world.park_a)
    services.transition(actor=world.county_a_reviewer, problem=applied_by_county, action="start")
    add_after_photo(world, applied_by_county, world.county_a_reviewer)
    services.transition(
        actor=world.county_a_reviewer, problem=applied_by_county, action="apply", note="完成"
    )
    with pytest.raises(NotAllowed, match="本问题由“甲县人民政府”申请销号"):
        services.transition(
            actor=world.county_a_reviewer, problem=applied_by_county, action="close", note="好"
        )


def test_returns_and_reopenings_are_counted_and_closing_records_lateness(world: World) -> None:
    problem = in_state(world, world.county_a, S.APPLIED)
    problem = services.transition(
        actor=world.city_supervisor, problem=problem, action="return", note="照片不清晰"
    )
    assert (problem.status, problem.return_count) == (S.FIXING, 1)
    add_after_photo(world, problem)
    problem = services.transition(
        actor=world.county_a_reporter, problem=problem, action="apply", note="已补充照片"
    )
    problem = services.transition(actor=world.city_supervisor, problem=problem, action="verify")
    problem = services.transition(
        actor=world.city_supervisor, problem=problem, action="return", note="现场仍有问题"
    )
    assert problem.return_count == 2
    problem = walk(world, problem, S.CLOSED)
    assert problem.closed_at is not None
    assert (problem.closed_on_time, problem.days_late) == (True, 0)
    new_deadline = timezone.localdate() + dt.timedelta(days=7)
    problem = services.transition(
        actor=world.city_supervisor,
        problem=problem,
        action="reopen",
        note="群众再次反映",
        deadline=new_deadline,
    )
    assert (problem.status, problem.reopen_count, problem.deadline) == (
        S.FIXING,
        1,
        new_deadline,
    )
    assert problem.closed_at is None
    assert problem.closed_on_time is None
    actions = list(problem.events.values_list("action", flat=True))
    assert actions.count("return") == 2
    assert actions[-1] == "reopen"


def test_closing_late_counts_days_late_in_the_problems_unit(
    world: World, time_machine: object
) -> None:
    # Due Tue 2025-09-30; closed on Thu 2025-10-09, after the 国庆+中秋 holiday (10/1–10/8).
    time_machine.move_to(dt.datetime(2025, 9, 20, 10, tzinfo=dt.UTC), tick=False)  # type: ignore[attr-defined]
    workday = make_problem(world, deadline=dt.date(2025, 9, 30), category=category("approval"))
    natural = make_problem(world, deadline=dt.date(2025, 9, 30), category=category("funding"))
    assert (workday.deadline_unit, natural.deadline_unit) == ("workday", "calendar_day")
    for p in (workday, natural):
        in_progress = services.transition(actor=world.county_a_reporter, problem=p, action="start")
        add_after_photo(world, in_progress)
        services.transition(actor=world.county_a_reporter, problem=p, action="apply", note="完成")
    time_machine.move_to(dt.datetime(2025, 10, 9, 3, tzinfo=dt.UTC), tick=False)  # type: ignore[attr-defined]
    closed_w = services.transition(
        actor=world.city_supervisor, problem=workday, action="close", note="好"
    )
    closed_n = services.transition(
        actor=world.city_supervisor, problem=natural, action="close", note="好"
    )
    assert (closed_w.closed_on_time, closed_w.days_late) == (False, 1)  # only 10/9 is a workday
    assert (closed_n.closed_on_time, closed_n.days_late) == (False, 9)


def test_the_default_deadline_is_the_categorys_sla_in_workdays(
    world: World, time_machine: object
) -> None:
    # §9.12: assigned Fri 2025-09-26 + 5 工作日 → 2025-10-10 (9/28 is a 调休 workday).
    time_machine.move_to(dt.datetime(2025, 9, 26, 2, tzinfo=dt.UTC), tick=False)  # type: ignore[attr-defined]
    approval = category("approval")
    approval.sla_days = 5
    approval.save()
    problem = services.create_problem(
        actor=world.city_supervisor,
        source="supervision",
        category=approval,
        title="审批超时",
        responsible_org=world.county_a,
    )
    assert problem.deadline == dt.date(2025, 10, 10)
    funding = category("funding")  # 30 自然日 from 2025-09-26 → 10-26 (Sun) → Mon 10-27
    problem = services.create_problem(
        actor=world.city_supervisor,
        source="supervision",
        category=funding,
        title="资金未到位",
        responsible_org=world.county_a,
    )
    assert problem.deadline == dt.date(2025, 10, 27)


# --- bad input: a clear Chinese message, nothing written -------------------------------------


def _nothing_written(before: tuple[int, int, int, int]) -> None:
    assert (
        Problem.objects.count(),
        AuditEvent.objects.count(),
        ProblemEvent.objects.count(),
        ProblemEvidence.objects.count(),
    ) == before


def _counts() -> tuple[int, int, int, int]:
    return (
        Problem.objects.count(),
        AuditEvent.objects.count(),
        ProblemEvent.objects.count(),
        ProblemEvidence.objects.count(),
    )


def test_a_deadline_in_the_past_is_refused(world: World) -> None:
    before = _counts()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(DomainError, match=r"整改时限（.*）不能早于今天") as exc:
        make_problem(world, deadline=yesterday)
    assert exc.value.field == "deadline"
    _nothing_written(before)


def test_reopening_needs_a_new_future_deadline(world: World) -> None:
    problem = in_state(world, world.county_a, S.CLOSED)
    before = _counts()
    with pytest.raises(DomainError, match="重新打开时请给出新的整改时限"):
        services.transition(
            actor=world.city_supervisor, problem=problem, action="reopen", note="再次出现"
        )
    with pytest.raises(DomainError, match="不能早于今天"):
        services.transition(
            actor=world.city_supervisor,
            problem=problem,
            action="reopen",
            note="再次出现",
            deadline=timezone.localdate() - dt.timedelta(days=3),
        )
    _nothing_written(before)


def test_applying_needs_an_after_photo_or_file(world: World) -> None:
    problem = in_state(world, world.county_a, S.FIXING)
    before = _counts()
    with pytest.raises(DomainError, match="申请销号前请至少上传一份整改后的照片或佐证文件"):
        services.transition(
            actor=world.county_a_reporter, problem=problem, action="apply", note="完成"
        )
    _nothing_written(before)


@pytest.mark.parametrize("action", ["progress", "apply", "close", "return", "reopen"])
def test_a_step_that_needs_a_note_refuses_an_empty_one(world: World, action: str) -> None:
    problem = in_state(world, world.county_a, SOURCE[action])
    add_after_photo(world, problem) if action == "apply" else None
    side = services.TRANSITIONS[action].side
    actor = world.county_a_reporter if side == "fixer" else world.city_supervisor
    before = _counts()
    with pytest.raises(DomainError) as exc:
        services.transition(
            actor=actor,
            problem=problem,
            action=action,
            note="  ",
            deadline=timezone.localdate(),
        )
    assert exc.value.message == services.NOTE_LABELS[action]
    _nothing_written(before)


def test_a_stale_edit_is_409_with_the_current_values(world: World) -> None:
    problem = make_problem(world)
    services.update_problem(
        actor=world.city_supervisor, problem=problem, version=1, title="用地指标仍未落实"
    )
    before = _counts()
    with pytest.raises(StaleObject) as exc:
        services.update_problem(
            actor=world.city_supervisor, problem=problem, version=1, title="别人的旧版本"
        )
    assert exc.value.status_code == 409
    assert exc.value.details["current"]["title"] == "用地指标仍未落实"  # the one 409 body
    assert exc.value.details["version"] == 2
    with pytest.raises(StaleObject):
        services.transition(
            actor=world.county_a_reporter, problem=problem, action="start", version=1
        )
    _nothing_written(before)


def test_only_the_issuing_side_edits_and_never_a_closed_problem(world: World) -> None:
    problem = make_problem(world)
    with pytest.raises(NotAllowed, match="只有交办单位可以修改问题内容"):
        services.update_problem(actor=world.county_a_reviewer, problem=problem, title="改")
    closed = in_state(world, world.county_a, S.CLOSED)
    with pytest.raises(InvalidTransition, match="已销号的问题不能修改"):
        services.update_problem(actor=world.city_supervisor, problem=closed, title="改")


def test_a_problem_cannot_be_assigned_outside_the_actors_scope(world: World) -> None:
    before = _counts()
    with pytest.raises(DomainError, match="责任单位“乙县人民政府”不在您的数据范围内"):
        make_problem(world, world.county_b, actor=world.county_a_reviewer)
    _nothing_written(before)


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("program.exe", b"MZ\x90\x00", "不支持的文件类型「exe」"),
        ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "不支持的文件类型「svg」"),
        ("report.pdf", b"<html>not a pdf</html>", "文件内容与扩展名 .pdf 不符"),
        ("photo.jpg", b"not an image at all", "文件不是有效的图片"),
        ("huge.jpg", b"\xff\xd8\xff" + b"0" * (15 * 1024 * 1024 + 1), "照片过大（上限 15 MB）"),
        ("huge.pdf", b"%PDF-" + b"0" * (20 * 1024 * 1024), "文件过大（上限 20 MB）"),
    ],
)
def test_a_forbidden_or_too_large_file_is_refused(
    world: World, filename: str, data: bytes, message: str
) -> None:
    problem = make_problem(world)
    before = _counts()
    with pytest.raises(UploadRejected) as exc:
        services.add_evidence(
            actor=world.county_a_reporter,
            problem=problem,
            stage="after",
            data=data,
            filename=filename,
        )
    assert message in exc.value.message
    _nothing_written(before)


def test_photos_are_reencoded_without_exif(world: World) -> None:
    import io

    from PIL import Image

    problem = make_problem(world)
    img = Image.new("RGB", (80, 60), "blue")
    exif = Image.Exif()
    exif[0x010F] = "间谍相机"  # Make
    raw = io.BytesIO()
    img.save(raw, "JPEG", exif=exif)
    evidence = services.add_evidence(
        actor=world.county_a_reporter,
        problem=problem,
        stage="before",
        data=raw.getvalue(),
        filename="现场.jpg",
    )
    with evidence.file.open("rb") as stored, Image.open(stored) as reread:
        assert not reread.getexif()
    assert (evidence.kind, evidence.content_type) == ("photo", "image/jpeg")


def test_after_material_only_from_the_responsible_side(world: World) -> None:
    problem = make_problem(world)
    with pytest.raises(NotAllowed, match="只有责任单位可以上传整改后的材料"):
        services.add_evidence(
            actor=world.city_supervisor,
            problem=problem,
            stage="after",
            data=photo_bytes(),
            filename="a.jpg",
        )
    with pytest.raises(Http404):
        services.add_evidence(
            actor=world.county_b_reporter,
            problem=problem,
            stage="before",
            data=photo_bytes(),
            filename="a.jpg",
        )


# --- scope ---------------------------------------------------------------------------------


def test_a_county_sees_its_own_and_its_sub_units_problems_and_the_issuer_what_it_issued(
    world: World,
) -> None:
    a = make_problem(world, world.county_a)
    park = make_problem(world, world.park_a)
    b = make_problem(world, world.county_b)
    # Issued by county A's government (e.g. a joint matter) to county B: county A sees it too.
    issued = make_problem(world, world.county_b, issuing_org=world.county_a)
    visible = set(Problem.objects.visible_to(world.county_a_reviewer).values_list("pk", flat=True))
    assert {a.pk, park.pk, issued.pk} <= visible
    assert b.pk not in visible
    park_view = set(Problem.objects.visible_to(world.park_reporter).values_list("pk", flat=True))
    assert park_view == {park.pk}
    b_view = set(Problem.objects.visible_to(world.county_b_reporter).values_list("pk", flat=True))
    assert {b.pk, issued.pk} <= b_view
    assert a.pk not in b_view
    for admin in (world.sysadmin, world.secadmin, world.auditadmin):
        assert not Problem.objects.visible_to(admin).exists()


def test_create_problem_keeps_its_original_keyword_arguments(world: World) -> None:
    """The inspections and projects modules call it with exactly these arguments."""
    problem = services.create_problem(
        actor=world.judge,
        source="inspection",
        category=category("land"),
        title="观摩发现：用地未供",
        responsible_org=world.county_a,
        deadline=None,
        description="现场查看发现",
        severity="serious",
        county=world.county_a,
        project=None,
        park=None,
        source_ref="inspections.finding:12",
        issuing_org=world.city,
    )
    assert problem.code.startswith(f"WT{timezone.localdate().year}-")
    assert problem.status == S.ASSIGNED
    assert problem.issuing_org == world.city
    assert problem.events.get().action == "create"


@pytest.mark.parametrize("changes", [{}, {"title": "same"}, {"deadline": "same"}])
def test_a_no_op_edit_writes_nothing(world: World, changes: dict[str, str]) -> None:
    problem = make_problem(world)
    values = {k: getattr(problem, k) for k in changes}
    if "title" in values:
        values["title"] = f" {values['title']}  "  # only whitespace differs
    before = _counts()
    same = services.update_problem(
        actor=world.city_supervisor, problem=problem, version=problem.version, **values
    )
    assert same.version == problem.version  # no bump (a PATCH with only `version` included)
    _nothing_written(before)
