"""Calendar data: services (系统管理员 only, audited once), selectors and `workdays_check`."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dudao.accounts.models import User
from dudao.audit.actions import label_for
from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError, NotAllowed
from dudao.core.roles import Role
from dudao.orgs.models import Organisation
from dudao.orgs.services import create_root_organisation
from dudao.workdays.models import CalendarOverride, HolidayYearStatus
from dudao.workdays.selectors import deadline_for, load_overrides, published_years, year_coverage
from dudao.workdays.services import delete_override, set_override, set_year_status

pytestmark = pytest.mark.django_db

NOTICE = "国务院办公厅关于2027年部分节假日安排的通知 国办发明电〔2026〕X号"


@pytest.fixture
def org() -> Organisation:
    return create_root_organisation(name="示范市人民政府", code="WD", kind="city_gov")


@pytest.fixture
def sysadmin(org: Organisation) -> User:
    return User.objects.create(
        username="wd-sys", full_name="系统管理员", organisation=org, roles=int(Role.SYSADMIN)
    )


@pytest.fixture
def others(org: Organisation) -> list[User]:
    return [
        User.objects.create(
            username=f"wd-{role.name}".lower(), full_name="其他", organisation=org, roles=int(role)
        )
        for role in (Role.SECADMIN, Role.AUDITADMIN, Role.SUPERVISOR, Role.REPORTER)
    ]


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def test_it_registers_chinese_labels_for_the_calendar_actions() -> None:
    assert label_for("calendar.set_override") == "设置节假日调整"
    assert label_for("calendar.delete_override") == "删除节假日调整"
    assert label_for("calendar.set_year_status") == "设置年度节假日发布状态"


def test_it_creates_an_override_audited_exactly_once(sysadmin: User) -> None:
    override = set_override(
        actor=sysadmin, date=date(2027, 10, 1), is_workday=False, name="国庆节", source=NOTICE
    )
    assert override.created_by == sysadmin
    (event,) = events("calendar.set_override")
    assert event.actor == sysadmin
    assert event.object_id == str(override.pk)
    assert event.after is not None
    assert event.after["date"] == "2027-10-01"
    assert event.after["is_workday"] is False
    assert event.organisation == sysadmin.organisation
    assert AuditEvent.objects.filter(action__startswith="calendar.").count() == 1


def test_it_replaces_an_existing_override_with_one_audited_diff(sysadmin: User) -> None:
    set_override(
        actor=sysadmin, date=date(2027, 10, 9), is_workday=False, name="国庆节", source=NOTICE
    )
    set_override(
        actor=sysadmin,
        date=date(2027, 10, 9),
        is_workday=True,
        name="国庆节调休上班",
        source=NOTICE,
    )
    assert CalendarOverride.objects.count() == 1
    _, second = sorted(events("calendar.set_override"), key=lambda e: e.pk)
    assert second.before == {"is_workday": False, "name": "国庆节"}
    assert second.after == {"is_workday": True, "name": "国庆节调休上班"}


def test_it_deletes_an_override_with_a_reason_audited_once(sysadmin: User) -> None:
    set_override(
        actor=sysadmin, date=date(2027, 1, 1), is_workday=False, name="元旦", source=NOTICE
    )
    delete_override(actor=sysadmin, date=date(2027, 1, 1), reason="录入错误")
    assert not CalendarOverride.objects.exists()
    (event,) = events("calendar.delete_override")
    assert event.reason == "录入错误"
    assert event.before is not None
    assert event.before["name"] == "元旦"


def test_it_refuses_deleting_without_reason_or_without_override(sysadmin: User) -> None:
    set_override(
        actor=sysadmin, date=date(2027, 1, 1), is_workday=False, name="元旦", source=NOTICE
    )
    with pytest.raises(DomainError, match="请填写删除原因"):
        delete_override(actor=sysadmin, date=date(2027, 1, 1), reason="  ")
    with pytest.raises(DomainError, match="2027年1月2日没有节假日调整记录"):
        delete_override(actor=sysadmin, date=date(2027, 1, 2), reason="清理")
    assert CalendarOverride.objects.count() == 1
    assert not events("calendar.delete_override")


def test_it_refuses_an_override_without_name_or_source(sysadmin: User) -> None:
    with pytest.raises(DomainError, match="请填写名称") as exc:
        set_override(actor=sysadmin, date=date(2027, 1, 1), is_workday=False, name="", source="x")
    assert exc.value.field == "name"
    with pytest.raises(DomainError, match="请填写依据"):
        set_override(
            actor=sysadmin, date=date(2027, 1, 1), is_workday=False, name="元旦", source=""
        )
    with pytest.raises(DomainError):
        set_override(
            actor=sysadmin, date=date(2027, 1, 1), is_workday=False, name="长" * 61, source="x"
        )
    assert not CalendarOverride.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="calendar.").exists()


def test_it_refuses_every_calendar_write_to_non_sysadmins(
    sysadmin: User, others: list[User]
) -> None:
    set_override(
        actor=sysadmin, date=date(2027, 1, 1), is_workday=False, name="元旦", source=NOTICE
    )
    before = AuditEvent.objects.count()
    for user in others:
        with pytest.raises(NotAllowed, match="只有系统管理员可以执行此操作"):
            set_override(
                actor=user, date=date(2027, 2, 1), is_workday=False, name="春节", source=NOTICE
            )
        with pytest.raises(NotAllowed):
            delete_override(actor=user, date=date(2027, 1, 1), reason="试图删除")
        with pytest.raises(NotAllowed):
            set_year_status(actor=user, year=2027, published=True, source=NOTICE)
    sysadmin.is_active = False
    with pytest.raises(NotAllowed):
        set_override(
            actor=sysadmin, date=date(2027, 2, 1), is_workday=False, name="春节", source=NOTICE
        )
    assert AuditEvent.objects.count() == before
    assert list(CalendarOverride.objects.values_list("date", flat=True)) == [date(2027, 1, 1)]
    assert not HolidayYearStatus.objects.exists()


def test_it_sets_the_year_status_audited_once_per_call(sysadmin: User) -> None:
    set_override(
        actor=sysadmin, date=date(2027, 1, 1), is_workday=False, name="元旦", source=NOTICE
    )
    status = set_year_status(actor=sysadmin, year=2027, published=True, source=NOTICE)
    assert status.published is True
    set_year_status(actor=sysadmin, year=2027, published=False, source="", note="通知撤回")
    assert HolidayYearStatus.objects.get(year=2027).published is False
    first, second = sorted(events("calendar.set_year_status"), key=lambda e: e.pk)
    assert first.after is not None
    assert first.after["year"] == 2027
    assert second.before == {"published": True, "source": NOTICE, "note": ""}


def test_it_refuses_publishing_an_unknown_year_without_overrides_or_source(
    sysadmin: User,
) -> None:
    with pytest.raises(DomainError, match="2027年尚未录入任何节假日调整"):
        set_year_status(actor=sysadmin, year=2027, published=True, source=NOTICE)
    with pytest.raises(DomainError, match="须填写依据"):
        set_year_status(actor=sysadmin, year=2026, published=True, source="")
    with pytest.raises(DomainError, match="年份应在"):
        set_year_status(actor=sysadmin, year=1999, published=False, source="")
    # A year the package knows may be marked without overrides.
    set_year_status(actor=sysadmin, year=2026, published=True, source="国办发明电〔2025〕7号")
    assert list(published_years([2025, 2026, 2027])) == [2026]
    assert len(events("calendar.set_year_status")) == 1


def test_it_loads_the_overrides_of_several_years_in_one_query(sysadmin: User) -> None:
    for day, name in [(date(2026, 10, 1), "国庆节"), (date(2027, 1, 1), "元旦")]:
        set_override(actor=sysadmin, date=day, is_workday=False, name=name, source=NOTICE)
    set_override(
        actor=sysadmin, date=date(2029, 5, 1), is_workday=False, name="劳动节", source=NOTICE
    )
    with CaptureQueriesContext(connection) as ctx:
        loaded = load_overrides([2026, 2027])
    assert len(ctx.captured_queries) == 1
    assert sorted(loaded) == [date(2026, 10, 1), date(2027, 1, 1)]
    assert loaded[date(2027, 1, 1)].name == "元旦"
    assert load_overrides([]) == {}


def test_it_computes_a_deadline_from_stored_overrides_and_year_status(sysadmin: User) -> None:
    start = date(2026, 12, 30)
    provisional = deadline_for(start, 2, "workday")
    assert provisional.due == date(2027, 1, 1)  # Friday: the weekday guess
    assert provisional.provisional is True
    set_override(
        actor=sysadmin, date=date(2027, 1, 1), is_workday=False, name="元旦", source=NOTICE
    )
    set_year_status(actor=sysadmin, year=2027, published=True, source=NOTICE)
    settled = deadline_for(start, 2, "workday")
    assert settled.due == date(2027, 1, 4)
    assert settled.provisional is False
    assert "2027年1月1日至2027年1月3日（元旦、周末）" in settled.explanation
    assert deadline_for(date(2025, 1, 20), 15, "calendar_day").due == date(2025, 2, 5)
    with pytest.raises(DomainError, match="期限不能为负数"):
        deadline_for(start, -1, "workday")


def test_it_reports_year_coverage_with_the_check_command(sysadmin: User) -> None:
    out = StringIO()
    call_command("workdays_check", "2026", stdout=out)
    assert "chinese-calendar 数据：已包含" in out.getvalue()
    assert "无需录入" in out.getvalue()

    out = StringIO()
    call_command("workdays_check", "2027", stdout=out)
    assert "chinese-calendar 数据：不包含" in out.getvalue()
    assert "尚未录入" in out.getvalue()
    with pytest.raises(SystemExit) as exc:
        call_command("workdays_check", "2027", "--strict", stdout=StringIO())
    assert exc.value.code == 1

    set_override(
        actor=sysadmin, date=date(2027, 1, 1), is_workday=False, name="元旦", source=NOTICE
    )
    set_override(
        actor=sysadmin, date=date(2027, 2, 20), is_workday=True, name="春节调休上班", source=NOTICE
    )
    set_year_status(actor=sysadmin, year=2027, published=True, source=NOTICE)
    coverage = year_coverage(2027)
    assert (coverage.holidays, coverage.workdays, coverage.provisional) == (1, 1, False)
    out = StringIO()
    call_command("workdays_check", "2027", "--strict", stdout=out)
    assert "放假 1 天，调休上班 1 天" in out.getvalue()
    assert "按管理员录入的调整计算" in out.getvalue()
