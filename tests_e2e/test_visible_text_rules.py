"""The visible-text rules the menu walk applies (tests_e2e/visible_text.py) catch what they are
for and let through what users do read."""

from __future__ import annotations

from tests_e2e.visible_text import findings


def test_identifiers_reprs_and_none_are_caught() -> None:
    found = findings("状态：in_review 金额 None {'a': 1} 负责人 demo_reporter", {"demo_reporter"})
    assert "英文/标识符：in_review" in found
    assert "内部表示：None" in found
    assert "内部表示：{'" in found
    assert not any("demo_reporter" in item for item in found)  # a user's own login name


def test_what_users_read_passes() -> None:
    text = "导出 Excel 或 PDF；项目代码 2026-410100-48-01-000001；"
    text += "统一社会信用代码 91410100MA44X1234B；"
    text += "接口 /api/v1/projects/；联系 someone@example.cn；R&D 经费；编号 WT2026-0012"
    assert findings(text, set()) == []
