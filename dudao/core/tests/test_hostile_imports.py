"""Every import kind answers a hostile file with a Chinese file or row error, never a server
error (issue 11): the corpus of `hostile.py` through the importer registry."""

from __future__ import annotations

import re

import pytest

from dudao.accounts.models import User
from dudao.core import imports
from dudao.core.imports import ImportRejected, ImportReport, RegisteredImporter
from dudao.core.tests import hostile
from dudao.testing import World

pytestmark = pytest.mark.django_db
KINDS = sorted(imports.discover())
# Importers whose role is the county reporter's; every other kind is the supervisor's.
REPORTER_KINDS = {"reports"}
# Importers into one tour (`dudao import … --tour ID`): they get a tour in preparation.
TOUR_KINDS = {"inspections.plan"}


def _tour_in_preparation(world: World) -> int:
    import datetime as dt

    from dudao.inspections import services as tours

    today = dt.date(2026, 6, 1)
    tour = tours.create_tour(
        actor=world.city_supervisor,
        name="导入测试观摩",
        period="测试",
        start_date=today,
        end_date=today,
    )
    return int(tour.pk)


@pytest.fixture(autouse=True)
def no_dense_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """calamine must never see a dimension bomb: every workbook it opens is recorded."""
    import python_calamine

    calls: list[int] = []
    real = python_calamine.CalamineWorkbook

    class Recording:
        @staticmethod
        def from_filelike(filelike: object) -> object:
            calls.append(1)
            return real.from_filelike(filelike)  # type: ignore[arg-type]

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Recording)
    return calls


def _answer(
    kind: str, data: bytes, world: World, filename: str = "hostile.xlsx"
) -> ImportRejected | ImportReport:
    """What the importer answers: a report or a refusal in Chinese, nothing else."""
    registered: RegisteredImporter = imports.IMPORTERS[kind]
    actor: User = world.county_a_reporter if kind in REPORTER_KINDS else world.city_supervisor
    options = {"tour": _tour_in_preparation(world)} if kind in TOUR_KINDS else {}
    try:
        return registered.func(data, filename=filename, actor=actor, dry_run=True, **options)
    except ImportRejected as rejected:
        for error in rejected.errors:
            assert re.search(r"[\u4e00-\u9fff]", error.message), error
        return rejected


def _run(kind: str, data: bytes, world: World, filename: str = "hostile.xlsx") -> ImportRejected:
    answer = _answer(kind, data, world, filename)
    assert isinstance(answer, ImportRejected), answer
    return answer


@pytest.mark.parametrize("name", sorted(hostile.HOSTILE_WORKBOOKS))
@pytest.mark.parametrize("kind", KINDS)
def test_every_import_kind_refuses_each_hostile_workbook(
    kind: str, name: str, world: World, no_dense_read: list[int]
) -> None:
    rejected = _run(kind, hostile.HOSTILE_WORKBOOKS[name](), world)
    assert [e.row for e in rejected.errors] == [0]
    if name in hostile.DENSE_BOMBS:
        assert no_dense_read == []


def _template(kind: str, world: World) -> tuple[str, list[str]]:
    """The sheet name and required headers of `kind`, as its own refusals state them."""
    sheet = "Sheet1"
    message = str(_run(kind, hostile.workbook([["?"]], sheet=sheet), world))
    found = re.search(r"找不到工作表「(.+?)」", message)
    if found:
        sheet = found[1]
        message = str(_run(kind, hostile.workbook([["?"]], sheet=sheet), world))
    missing = re.search(r"缺少列：(.+?)。", message)
    assert missing, message
    return sheet, _headers(missing[1])


def _headers(listed: str) -> list[str]:
    """Split 「a、b（c、d）」 into ["a", "b（c、d）"]."""
    return re.split(r"、(?![^（]*）)", listed)


@pytest.mark.parametrize(
    "value",
    [*hostile.HOSTILE_NUMBERS, "=1/0"],
    ids=lambda v: v.text if isinstance(v, hostile.Raw) else str(v),
)
@pytest.mark.parametrize("kind", KINDS)
def test_every_import_kind_answers_hostile_cells_with_row_errors(
    kind: str, value: object, world: World
) -> None:
    """1e300, 1e24, NaN, INF, a formula: in every column of a data row."""
    sheet, headers = _template(kind, world)
    if value == "=1/0":
        row = "".join(
            f'<c r="{hostile.column(c)}2"><f>1/0</f><v>1</v></c>'
            for c in range(1, len(headers) + 1)
        )
        xml = hostile.worksheet(hostile.sheet_data([headers]) + f'<row r="2">{row}</row>')
        data = hostile.zip_parts(hostile.parts(xml, sheet=sheet))
    else:
        data = hostile.workbook([headers, [value] * len(headers)], sheet=sheet)
    answer = _answer(kind, data, world)
    # A number in a text column (a code "1e+300", a name "nan") may be accepted; a refusal
    # names the row.
    if isinstance(answer, ImportRejected):
        assert any(e.row == 2 for e in answer.errors), answer.errors


@pytest.mark.parametrize("kind", ["indicators", "indicator_catalogue", "parks", "problems"])
def test_csv_kinds_answer_hostile_numbers_with_row_errors(kind: str, world: World) -> None:
    message = str(_run(kind, b"?\n", world, "x.csv"))
    missing = re.search(r"缺少列：(.+?)。", message)
    assert missing, message
    headers = _headers(missing[1])
    body = "\n".join(",".join([v] * len(headers)) for v in ("1e300", "NaN", "1e24", "-inf"))
    answer = _answer(kind, f"{','.join(headers)}\n{body}\n".encode(), world, "x.csv")
    if isinstance(answer, ImportRejected):
        assert {e.row for e in answer.errors} & {2, 3, 4, 5}, answer.errors
