"""Run in a subprocess after the surge (bench/surge.py), against the surge's database: compare
the database and the audit log with the client's log, trusting nothing the server answered
beyond what the client wrote down. Prints JSON: lost, duplicated and altered writes (lists of
descriptions, all must be empty) and what was checked.

* lost: a save answered 200 whose amount is in no report-save audit event of its report, or a
  submit answered 200 whose report is not submitted;
* duplicated: more report-save events for a report than distinct saves the client sent to it
  (answered or not: a save whose answer never came may have landed once, never twice);
* altered: the report's amount and version are not those of the highest version the client was
  answered with (when every save to it was answered).
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
django.setup()

from dudao.audit.models import AuditEvent  # noqa: E402
from dudao.projects.models import MonthlyReport  # noqa: E402


def main(log_path: str) -> dict[str, Any]:  # noqa: PLR0912 - one pass over the client's log
    log = json.loads(Path(log_path).read_text())
    acks: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    sent: dict[tuple[int, str], set[str]] = defaultdict(set)
    unanswered: dict[tuple[int, str], int] = defaultdict(int)
    submitted: set[tuple[int, str]] = set()
    for entry in log:
        key = (int(entry["project"]), entry["period"])
        sent[key].add(entry["request_id"])
        if entry["status"] == 200:
            acks[key].append(entry)
            if entry["submit"]:
                submitted.add(key)
        elif entry["status"] is None:
            unanswered[key] += 1
    lost: list[str] = []
    duplicated: list[str] = []
    altered: list[str] = []
    for key in sorted(sent):
        project, period = key
        year, month = (int(p) for p in period.split("-"))
        report = MonthlyReport.objects.filter(project_id=project, year=year, month=month).first()
        if report is None:
            if acks[key]:
                lost.append(f"项目 {project} {period}：已确认的保存在数据库中没有月报")
            continue
        events = list(
            AuditEvent.objects.filter(
                action="project.report_save",
                object_id=str(report.pk),
                actor_name__startswith="surge_",
            ).values_list("after", flat=True)
        )
        amounts = {Decimal(str(e["invest_month"])) for e in events if e and "invest_month" in e}
        for ack in acks[key]:
            if Decimal(ack["value"]) not in amounts:
                lost.append(f"项目 {project} {period}：已确认的金额 {ack['value']} 不在审计日志中")
        if len(events) > len(sent[key]):
            duplicated.append(
                f"项目 {project} {period}：{len(events)} 条保存事件，"
                f"客户端只发出 {len(sent[key])} 次"
            )
        if key in submitted and report.status == MonthlyReport.Status.DRAFT:
            lost.append(f"项目 {project} {period}：已确认报送，数据库中仍是草稿")
        saves = [a for a in acks[key] if not a["submit_only"]]
        if saves and not unanswered[key]:
            last = max(saves, key=lambda a: int(a["version"]))
            if (report.invest_month, report.version) != (Decimal(last["value"]), last["version"]):
                altered.append(
                    f"项目 {project} {period}：数据库为 {report.invest_month}（版本 "
                    f"{report.version}），最后确认的是 {last['value']}（版本 {last['version']}）"
                )
    return {
        "reports": len(sent),
        "acknowledged": sum(len(v) for v in acks.values()),
        "unanswered": sum(unanswered.values()),
        "lost": lost,
        "duplicated": duplicated,
        "altered": altered,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1]), ensure_ascii=False))
