"""Signals of the working-day calendar, for the modules that store computed deadlines.

`holiday_year_confirmed` is sent (inside the operator's transaction) each time a year's
holiday arrangement is marked published (`services.set_year_status`), and again each time an
override of a year already published is entered, changed or removed (`services.set_override`,
`services.delete_override`), so that deadlines counted over that year follow the correction.
Every module that keeps deadlines computed by `selectors.deadline_for` connects a receiver that
recomputes its deadlines still marked 暂定 (provisional) with the calendar as it now stands,
audited in the operator's name. Receivers must be idempotent: a second confirmation finds
nothing provisional left to change in that year and writes nothing.

Arguments: `actor` (the 系统管理员 who confirmed), `year`.
"""

from __future__ import annotations

from django.dispatch import Signal

holiday_year_confirmed = Signal()
