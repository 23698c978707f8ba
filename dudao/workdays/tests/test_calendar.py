"""Pure calendar logic: docs §7.4 and every worked example of §9.12, with exact dates."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest

from dudao.core.exceptions import DomainError
from dudao.workdays.calendar import (
    MAX_AMOUNT,
    DeadlineKind,
    Override,
    OverrideLike,
    add_natural_days,
    add_workdays,
    chinese_calendar_knows,
    compute_deadline,
    is_workday,
    workdays_between,
)

NONE: dict[date, OverrideLike] = {}


# --- §9.12 worked examples ---------------------------------------------------------------------


def test_it_counts_five_workdays_from_friday_2025_09_26_over_national_day() -> None:
    start = date(2025, 9, 26)
    steps = [add_workdays(start, n, NONE) for n in range(1, 6)]
    assert steps == [
        date(2025, 9, 28),  # Sunday, 调休上班
        date(2025, 9, 29),
        date(2025, 9, 30),
        date(2025, 10, 9),
        date(2025, 10, 10),
    ]


def test_it_counts_from_saturday_2025_09_27_to_the_same_day_unlike_find_workday() -> None:
    assert add_workdays(date(2025, 9, 27), 5, NONE) == date(2025, 10, 10)
    # The pitfall documented in §7.4/§9.12: the package snaps a rest day forward first.
    assert chinese_calendar.find_workday(5, date(2025, 9, 27)) == date(2025, 10, 11)


def test_it_rolls_15_natural_days_from_2025_01_20_out_of_spring_festival() -> None:
    assert add_natural_days(date(2025, 1, 20), 15, NONE) == date(2025, 2, 5)
    assert add_natural_days(date(2025, 1, 20), 15, NONE, roll_forward_if_holiday=False) == date(
        2025, 2, 4
    )


def test_it_counts_remaining_workdays_for_the_yellow_rule() -> None:
    deadline = date(2025, 10, 10)
    assert workdays_between(date(2025, 10, 9), deadline, NONE) == 1
    assert workdays_between(deadline, deadline, NONE) == 0
    # 10-11 (Saturday) is an adjusted workday: the task is one workday overdue.
    assert workdays_between(date(2025, 10, 11), deadline, NONE) == -1
    # Across the holiday: 9/28, 9/29, 9/30, 10/9, 10/10.
    assert workdays_between(date(2025, 9, 26), deadline, NONE) == 5


def test_it_reproduces_the_saturday_pitfall_example_of_7_4() -> None:
    assert add_workdays(date(2025, 11, 1), 5, NONE) == date(2025, 11, 7)
    assert chinese_calendar.find_workday(5, date(2025, 11, 1)) == date(2025, 11, 10)


def test_it_knows_the_2025_statutory_days_and_adjusted_workdays_of_7_4() -> None:
    statutory = [
        date(2025, 1, 1),
        *(date(2025, 1, d) for d in range(28, 32)),
        date(2025, 4, 4),
        date(2025, 5, 1),
        date(2025, 5, 2),
        date(2025, 5, 31),
        date(2025, 10, 1),
        date(2025, 10, 2),
        date(2025, 10, 3),
        date(2025, 10, 6),
    ]
    adjusted = [date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28)]
    adjusted.append(date(2025, 10, 11))
    assert all(not is_workday(d, NONE).is_workday for d in statutory)
    assert all(is_workday(d, NONE).is_workday for d in adjusted)


# --- single days ---------------------------------------------------------------------------------


def test_it_reads_2026_national_day_and_its_adjusted_workday_from_chinese_calendar() -> None:
    holiday = is_workday(date(2026, 10, 1), NONE)
    assert holiday.is_workday is False
    assert holiday.name == "国庆节"
    assert holiday.source == "chinese_calendar"
    assert holiday.provisional is False
    adjusted = is_workday(date(2026, 10, 10), NONE)
    assert adjusted.is_workday is True
    assert adjusted.name == "国庆节调休上班"
    assert adjusted.source == "chinese_calendar"


def test_it_names_plain_weekdays_and_weekends() -> None:
    assert is_workday(date(2025, 11, 3), NONE).name == "工作日"
    assert is_workday(date(2025, 11, 1), NONE).name == "周六"
    assert is_workday(date(2025, 11, 2), NONE).name == "周日"


def test_it_lets_an_override_beat_chinese_calendar() -> None:
    overrides = {date(2026, 10, 1): Override(True, "应急值守上班", "市政府通知")}
    info = is_workday(date(2026, 10, 1), overrides)
    assert info.is_workday is True
    assert info.source == "override"
    assert info.name == "应急值守上班"
    assert info.provisional is False
    # And the other way: a normal Monday declared a rest day moves a deadline.
    monday = date(2025, 11, 3)
    assert add_workdays(date(2025, 10, 31), 1, NONE) == monday
    rest = {monday: Override(False, "地方休息日", "市政府通知")}
    assert add_workdays(date(2025, 10, 31), 1, rest) == date(2025, 11, 4)


def test_it_falls_back_to_weekdays_for_2027_provisionally_without_raising() -> None:
    assert chinese_calendar_knows(2026) is True
    assert chinese_calendar_knows(2027) is False
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))
    friday = is_workday(date(2027, 1, 1), NONE)  # 元旦 in reality, unknown to the package
    assert friday.is_workday is True
    assert friday.source == "weekend_rule"
    assert friday.provisional is True
    saturday = is_workday(date(2027, 1, 2), NONE)
    assert (saturday.is_workday, saturday.name, saturday.provisional) == (False, "周六", True)
    assert add_workdays(date(2026, 12, 31), 1, NONE) == date(2027, 1, 1)


def test_it_marks_2027_settled_once_its_notice_is_published() -> None:
    overrides = {date(2027, 1, 1): Override(False, "元旦", "国办发明电〔2026〕X号")}
    info = is_workday(date(2027, 1, 4), overrides, published_years={2027})
    assert (info.is_workday, info.source, info.provisional) == (True, "weekend_rule", False)
    holiday = is_workday(date(2027, 1, 1), overrides, published_years={2027})
    assert (holiday.is_workday, holiday.source, holiday.provisional) == (False, "override", False)
    deadline = compute_deadline(date(2026, 12, 31), 1, "workday", overrides, published_years={2027})
    assert deadline.due == date(2027, 1, 4)
    assert deadline.provisional is False


# --- amounts -------------------------------------------------------------------------------------


def test_it_treats_zero_as_the_same_day() -> None:
    saturday = date(2025, 9, 27)
    assert add_workdays(saturday, 0, NONE) == saturday
    assert add_workdays(date(2025, 9, 26), 0, NONE) == date(2025, 9, 26)
    assert add_natural_days(date(2025, 9, 26), 0, NONE) == date(2025, 9, 26)
    # 自然日 0 on a rest day rolls like any other period end (民法典 203).
    assert add_natural_days(saturday, 0, NONE) == date(2025, 9, 28)
    assert add_natural_days(saturday, 0, NONE, roll_forward_if_holiday=False) == saturday
    deadline = compute_deadline(date(2025, 9, 26), 0, DeadlineKind.WORKDAY, NONE)
    assert deadline.due == date(2025, 9, 26)
    assert deadline.skipped == ()
    assert "0个工作日" in deadline.explanation


@pytest.mark.parametrize("kind", ["workday", "calendar_day"])
def test_it_refuses_negative_amounts_in_chinese(kind: str) -> None:
    with pytest.raises(DomainError, match="期限不能为负数") as exc:
        compute_deadline(date(2025, 9, 26), -1, kind, NONE)
    assert exc.value.field == "amount"
    with pytest.raises(DomainError, match="期限不能为负数"):
        add_workdays(date(2025, 9, 26), -3, NONE)
    with pytest.raises(DomainError, match="期限不能为负数"):
        add_natural_days(date(2025, 9, 26), -3, NONE)


def test_it_refuses_absurd_amounts_and_unknown_kinds() -> None:
    with pytest.raises(DomainError, match="期限过长"):
        add_workdays(date(2025, 1, 1), MAX_AMOUNT + 1, NONE)
    with pytest.raises(DomainError, match="期限单位无效") as exc:
        compute_deadline(date(2025, 1, 1), 3, "week", NONE)
    assert exc.value.field == "kind"


# --- deadlines with explanations -----------------------------------------------------------------


def test_it_explains_a_workday_deadline_with_skipped_holidays() -> None:
    deadline = compute_deadline(date(2025, 9, 26), 5, "workday", NONE)
    assert deadline.due == date(2025, 10, 10)
    assert deadline.kind == DeadlineKind.WORKDAY
    assert deadline.kind.label == "工作日"
    assert deadline.provisional is False
    assert [s.day for s in deadline.skipped] == [
        date(2025, 9, 27),
        *(date(2025, 10, d) for d in range(1, 9)),
    ]
    assert [s.day for s in deadline.adjusted_workdays] == [date(2025, 9, 28)]
    text = deadline.explanation
    assert "自2025年9月26日（星期五）的次日起算5个工作日（开始当日不计入）" in text
    assert "截止日期为2025年10月10日（星期五）" in text
    assert "2025年9月27日（周六）" in text
    assert "2025年10月1日至2025年10月8日（国庆节、中秋节）" in text
    assert "2025年9月28日（国庆节调休上班）" in text
    assert "注意" not in text


def test_it_explains_a_natural_day_deadline_rolled_out_of_a_holiday() -> None:
    deadline = compute_deadline(date(2025, 1, 20), 15, "calendar_day", NONE)
    assert deadline.due == date(2025, 2, 5)
    assert deadline.kind.label == "自然日"
    assert [s.day for s in deadline.skipped] == [date(2025, 2, 4)]
    text = deadline.explanation
    assert "期满日为2025年2月4日（星期二）" in text
    assert "春节" in text
    assert "民法典第二百零三条" in text
    assert "截止日期为2025年2月5日（星期三）" in text
    kept = compute_deadline(
        date(2025, 1, 20), 15, "calendar_day", NONE, roll_forward_if_holiday=False
    )
    assert kept.due == date(2025, 2, 4)
    assert "不顺延" in kept.explanation


def test_it_flags_a_deadline_reaching_into_2027_as_provisional() -> None:
    deadline = compute_deadline(date(2026, 12, 28), 5, "workday", NONE)
    # 12/29, 12/30, 12/31 (2026, known), then 2027-01-01 and 01-04 by the weekday guess.
    assert deadline.due == date(2027, 1, 4)
    assert deadline.provisional is True
    assert "2027年的节假日安排尚未录入" in deadline.explanation
    natural = compute_deadline(date(2026, 12, 28), 10, "calendar_day", NONE)
    assert natural.due == date(2027, 1, 7)
    assert natural.provisional is True
    settled = compute_deadline(date(2026, 12, 1), 5, "workday", NONE)
    assert settled.provisional is False
