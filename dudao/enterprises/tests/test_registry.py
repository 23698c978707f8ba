"""The enterprise registry: USCC rules (GB 32100, §9.11), duplicates, scope, status history,
annual figures with sources (missing stays missing) and the two imports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dudao.audit.models import AuditEvent
from dudao.core.exceptions import DomainError, NotAllowed, StaleObject
from dudao.core.imports import ImportRejected
from dudao.enterprises import services
from dudao.enterprises.importers import import_enterprise_data, import_enterprises
from dudao.enterprises.models import AnnualValue, Enterprise
from dudao.enterprises.rules import UsccError, normalise_uscc
from dudao.enterprises.tests.helpers import enterprise, park, uscc
from dudao.testing import World

pytestmark = pytest.mark.django_db
TOMORROW = timezone.localdate() + dt.timedelta(days=1)


def test_the_worked_uscc_examples_pass_and_are_normalised() -> None:
    assert normalise_uscc("91110108551385082Q") == "91110108551385082Q"
    assert normalise_uscc("91110000600037341L") == "91110000600037341L"
    # Full-width characters, spaces, hyphens and lower case are folded.
    assert normalise_uscc(" ９１１１０１０８-５５１３８５０８２q ") == "91110108551385082Q"


def test_a_wrong_check_character_names_the_expected_one() -> None:
    with pytest.raises(UsccError, match="第18位应为「Q」，实为「R」"):
        normalise_uscc("91110108551385082R")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9111010855138508", "应为18位，实为16位"),
        ("91110108551385O82Q", "不允许的字符「O」"),
        ("9111A108551385082Q", "第3–8位"),
    ],
)
def test_malformed_usccs_are_refused_in_chinese(text: str, message: str) -> None:
    with pytest.raises(UsccError, match=message):
        normalise_uscc(text)


def test_a_letter_registration_authority_is_accepted_when_its_check_is_right() -> None:
    # GB 32100 lets 登记管理部门 be a letter (Y 其他); stdnum alone would refuse the format.
    code = uscc(1, prefix="Y1410100")
    assert normalise_uscc(code) == code
    with pytest.raises(UsccError, match="校验位错误"):
        normalise_uscc(code[:-1] + ("0" if code[-1] != "0" else "1"))


def test_a_supervisor_registers_an_enterprise_once(world: World) -> None:
    first = enterprise(world, 1)
    assert first.organisation == world.park_a
    assert first.statuses.get().status == Enterprise.Status.OPERATING
    with pytest.raises(DomainError, match="已登记为"):
        enterprise(world, 2, uscc=" " + first.uscc.lower())
    assert AuditEvent.objects.filter(action="enterprises.enterprise.create").count() == 1


def test_only_a_supervisor_keeps_the_registry(world: World) -> None:
    with pytest.raises(NotAllowed):
        services.create_enterprise(
            actor=world.county_a_reporter,
            uscc=uscc(3),
            name="甲",
            organisation=world.county_a,
            industry_code="3562",
        )


def test_an_edit_needs_the_current_version_and_a_status_change_is_recorded(world: World) -> None:
    firm = enterprise(world, 4)
    firm = services.update_enterprise(
        actor=world.city_supervisor, enterprise=firm, version=firm.version, employees=120
    )
    assert firm.version == 2
    with pytest.raises(StaleObject):
        services.update_enterprise(
            actor=world.city_supervisor, enterprise=firm, version=1, name="乙"
        )
    services.set_status(
        actor=world.city_supervisor, enterprise=firm, status="suspended", since=TOMORROW
    )
    firm.refresh_from_db()
    assert firm.status == Enterprise.Status.SUSPENDED
    assert list(firm.statuses.values_list("status", flat=True)) == ["operating", "suspended"]
    with pytest.raises(DomainError, match="不能早于"):
        services.set_status(
            actor=world.city_supervisor,
            enterprise=firm,
            status="operating",
            since=dt.date(2020, 1, 1),
        )


def test_a_figure_keeps_its_source_and_a_removed_one_is_missing_not_zero(world: World) -> None:
    firm = enterprise(world, 5)
    services.save_annual_values(
        actor=world.city_supervisor,
        enterprise=firm,
        year=2025,
        values={"tax": (Decimal(1200), "税务部门"), "power": (Decimal(300), "供电公司")},
    )
    row = AnnualValue.objects.get(enterprise=firm, year=2025, item="tax")
    assert (row.value, row.source) == (Decimal(1200), "税务部门")
    services.save_annual_values(
        actor=world.city_supervisor, enterprise=firm, year=2025, values={"power": (None, "")}
    )
    assert not AnnualValue.objects.filter(enterprise=firm, item="power").exists()
    with pytest.raises(DomainError, match="须注明数据来源"):
        services.save_annual_values(
            actor=world.city_supervisor,
            enterprise=firm,
            year=2025,
            values={"revenue": (Decimal(1), " ")},
        )


REGISTRY = "统一社会信用代码,企业名称,行业代码,园区编码,规模以上,自有用地,租赁用地,从业人员\n"


def test_the_registry_import_is_all_or_nothing_and_names_the_row_of_a_bad_check(
    world: World,
) -> None:
    park(world)
    bad = uscc(12)[:-1] + ("0" if uscc(12)[-1] != "0" else "1")
    text = (
        REGISTRY
        + f"{uscc(11)},示范市甲公司,3562,P-A,是,50,10,120\n"
        + f"{bad},示范市乙公司,3562,P-A,否,20,,30\n"
        + f"{uscc(11)},示范市丙公司,356,P-X,也许,-1,,\n"
    )
    with pytest.raises(ImportRejected) as caught:
        import_enterprises(
            text.encode(), filename="名录.csv", actor=world.city_supervisor, dry_run=False
        )
    messages = [str(e) for e in caught.value.errors]
    assert any(m.startswith("第3行「uscc」列：统一社会信用代码校验位错误") for m in messages)
    assert any("第4行「uscc」列：与第2行统一社会信用代码重复" in m for m in messages)
    assert any(m.startswith("第4行「industry_code」列") for m in messages)
    assert any(m.startswith("第4行「park_code」列") for m in messages)
    assert any(m.startswith("第4行「above_scale」列") for m in messages)
    assert any(m.startswith("第4行「land_own_mu」列") for m in messages)
    assert not Enterprise.objects.exists()


def test_the_registry_import_creates_then_changes_nothing(world: World) -> None:
    park(world)
    text = (REGISTRY + f"{uscc(21)},示范市甲公司,3562,P-A,规上,50,10,120\n").encode()
    report = import_enterprises(
        text, filename="名录.csv", actor=world.city_supervisor, dry_run=False
    )
    assert (report.created, report.updated) == (1, 0)
    firm = Enterprise.objects.get()
    assert (firm.above_scale, firm.land_mu, firm.employees) == (True, Decimal(60), 120)
    again = import_enterprises(
        text, filename="名录.csv", actor=world.city_supervisor, dry_run=False
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_the_data_import_keeps_sources_and_leaves_empty_cells_missing(world: World) -> None:
    firm = enterprise(world, 31)
    text = (
        "统一社会信用代码,年度,数据来源,税收,用电量,营业收入\n"
        f"{firm.uscc},2025,税务部门,1200,,8000\n"
    ).encode()
    report = import_enterprise_data(
        text, filename="税务.csv", actor=world.city_supervisor, dry_run=False
    )
    assert report.updated == 1
    stored = dict(AnnualValue.objects.filter(enterprise=firm).values_list("item", "source"))
    assert stored == {"tax": "税务部门", "revenue": "税务部门"}
    with pytest.raises(ImportRejected, match="未登记或不在您的范围内"):
        import_enterprise_data(
            f"uscc,year,source,tax\n{uscc(99)},2025,税务部门,1\n".encode(),
            filename="x.csv",
            actor=world.city_supervisor,
            dry_run=False,
        )
