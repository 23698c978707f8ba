"""Who may call the URLs of 督查督办 (merged into dudao.policy.POLICY), and its menu entries.

Readers: 填报员, 审核员, 督查员, 领导 (scope decides which tasks). Writers by step: the issuing
office (督查员, or a county's 审核员 for what it splits) creates, issues, verifies and decides
extensions; the responsible unit (填报员, 审核员) reports, applies for close-out, asks for time.
"""

from __future__ import annotations

from dudao.accounts.roles import Role
from dudao.core.policy import Rules, roles

R = Role
READERS = roles(R.REPORTER, R.REVIEWER, R.SUPERVISOR, R.LEADER)
ISSUERS = roles(R.SUPERVISOR, R.REVIEWER)
RESPONSIBLE = roles(R.REPORTER, R.REVIEWER)
OVERSEERS = roles(R.SUPERVISOR, R.REVIEWER, R.LEADER)
BUSINESS = roles(R.REPORTER, R.REVIEWER, R.SUPERVISOR, R.JUDGE, R.LEADER)
SUPERVISOR = roles(R.SUPERVISOR)
LEADERS = roles(R.LEADER)

POLICY: dict[str, Rules] = {
    "supervision:my_tasks": {"GET": READERS},
    "supervision:task_list": {"GET": READERS},
    "supervision:task_create": {"GET": ISSUERS, "POST": ISSUERS},
    "supervision:task_cascade": {"GET": ISSUERS, "POST": ISSUERS},
    "supervision:task_import": {"GET": ISSUERS, "POST": ISSUERS},
    "supervision:task_import_template": {"GET": ISSUERS},
    "supervision:task_export": {"GET": READERS},
    "supervision:task_detail": {"GET": READERS},
    "supervision:task_issue": {"POST": ISSUERS},
    "supervision:task_feedback": {"POST": RESPONSIBLE},
    "supervision:task_apply": {"POST": RESPONSIBLE},
    "supervision:task_verify": {"POST": ISSUERS},
    "supervision:task_extension": {"POST": RESPONSIBLE},
    "supervision:extension_decide": {"POST": ISSUERS},
    "supervision:instruction_create": {"GET": LEADERS, "POST": LEADERS},
    "supervision:source_list": {"GET": READERS},
    "supervision:source_create": {"GET": ISSUERS, "POST": ISSUERS},
    "supervision:source_detail": {"GET": READERS},
    "supervision:attachment": {"GET": READERS},
    "supervision:overview": {"GET": OVERSEERS},
    "supervision:performance": {"GET": OVERSEERS},
    "supervision:rules": {"GET": OVERSEERS},
    "supervision:rule_edit": {"POST": SUPERVISOR},
    "supervision:notifications": {"GET": BUSINESS},
    "supervision:notifications_read": {"POST": BUSINESS},
    # API
    "api:supervision_task_list": {"GET": READERS, "POST": ISSUERS},
    "api:supervision_my_tasks": {"GET": READERS},
    "api:supervision_task_detail": {"GET": READERS},
    "api:supervision_task_issue": {"POST": ISSUERS},
    "api:supervision_task_feedback": {"POST": RESPONSIBLE},
    "api:supervision_task_apply": {"POST": RESPONSIBLE},
    "api:supervision_task_verify": {"POST": ISSUERS},
    "api:supervision_task_extension": {"POST": RESPONSIBLE},
    "api:supervision_extension_decide": {"POST": ISSUERS},
    "api:supervision_source_list": {"GET": READERS, "POST": ISSUERS},
    "api:supervision_overview": {"GET": OVERSEERS},
    "api:supervision_performance": {"GET": OVERSEERS},
    "api:supervision_notification_list": {"GET": BUSINESS},
}

# (URL name, menu label): shown to users whose roles the policy allows for GET.
NAV: list[tuple[str, str]] = [
    ("supervision:my_tasks", "我的督查任务"),
    ("supervision:task_list", "督查任务清单"),
    ("supervision:overview", "督查总览"),
    ("supervision:notifications", "通知中心"),
]
