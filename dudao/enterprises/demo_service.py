"""Demo enterprise service (fictional, 演示数据): the city's departments that answer demands,
liaison officers for a share of the demo enterprises, a year of visits and demands in every
state, and one enterprise's own login (demo_enterprise)."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from dudao.accounts.models import User
from dudao.core.roles import Role
from dudao.demo.platform import _TreeBuilder
from dudao.demo.registry import DEMO_PASSWORD, DemoContext, generator
from dudao.enterprises.models import (
    Demand,
    DemandEvent,
    DemandSlaRule,
    Enterprise,
    EnterpriseAccount,
    LiaisonAssignment,
    Visit,
)
from dudao.orgs.models import Organisation
from dudao.workdays.selectors import deadline_for

if TYPE_CHECKING:
    from collections.abc import Sequence

K = Organisation.Kind
# (code suffix, name, short name): the departments demands are routed to, by category.
DEPARTMENTS = (
    ("ZRZY", "示范市自然资源和规划局", "市自然资源局"),
    ("GXJ", "示范市工业和信息化局", "市工信局"),
    ("RSJ", "示范市人力资源和社会保障局", "市人社局"),
    ("CZJ", "示范市财政局", "市财政局"),
)
CATEGORY_DEPARTMENT = {
    "land": "SFS-ZRZY",
    "energy": "SFS-GXJ",
    "labour": "SFS-RSJ",
    "funding": "SFS-CZJ",
    "approval": "SFS-FGW",
    "other": "SFS-SWJ",
}
TOPICS = {
    "land": ("二期厂房新增用地指标", "扩建项目需新增工业用地约{n}亩，请协调用地指标与供地时序。"),
    "funding": (
        "技改项目贴息申报",
        "企业技术改造项目投资约{n}百万元，申请技改贴息与专项资金支持。",
    ),
    "energy": ("新增用电负荷", "新生产线投产需新增用电负荷约{n}百千伏安，请协调用能指标与接电。"),
    "labour": ("熟练技工招聘", "旺季缺熟练技工约{n}人，请协助对接职业院校与招聘会。"),
    "approval": ("环评与施工许可并联审批", "扩建项目的环评与施工许可办理进度慢，请协调并联审批。"),
    "other": ("出口物流通道", "出口订单增加，请协调物流通道和通关便利，约{n}个集装箱/月。"),
}
ANSWERS = {
    "land": "已纳入本年度供地计划，拟于下季度挂牌出让，请企业提前准备竞买材料。",
    "funding": "项目符合技改贴息条件，已列入本批次支持名单，资金按程序拨付。",
    "energy": "供电公司已完成接电方案，新增负荷按计划于下月接入。",
    "labour": "已安排专场招聘会并对接两所职业院校定向培养。",
    "approval": "已启动并联审批，环评与施工许可同步办理。",
    "other": "已协调口岸部门开通绿色通道。",
}
OFFICER_NAMES = (
    "韩联企",
    "曹服务",
    "彭走访",
    "蒋协调",
    "沈帮办",
    "邓助企",
    "许对接",
    "傅联络",
)


def _departments(ctx: DemoContext) -> dict[str, Organisation]:
    city = ctx.orgs["SFS"]
    tree = _TreeBuilder()
    for suffix, name, short in DEPARTMENTS:
        code = f"SFS-{suffix}"
        found = Organisation.objects.filter(code=code).first()
        ctx.orgs[code] = found or tree.add(
            code=code, name=name, short_name=short, kind=K.DEPARTMENT, parent=city, sort_order=20
        )
    return {cat: ctx.orgs[code] for cat, code in CATEGORY_DEPARTMENT.items()}


def _user(
    ctx: DemoContext, username: str, *, full_name: str, org: Organisation, role: Role, title: str
) -> User:
    user = User.objects.create(
        username=username,
        full_name=full_name,
        organisation=org,
        roles=int(role),
        title=title,
        password=make_password(DEMO_PASSWORD),
        password_changed_at=timezone.now(),
    )
    ctx.users[username] = user
    return user


def _officers(ctx: DemoContext) -> list[User]:
    """demo_reporter and demo_park plus eight officers of county and city offices."""
    units = [o for code, o in sorted(ctx.orgs.items()) if code.endswith("-FGJ")][:6]
    units += [ctx.orgs["SFS-FGW"], ctx.orgs["SFS-SWJ"]]
    officers = [ctx.users[u] for u in ("demo_reporter", "demo_park") if u in ctx.users]
    password = make_password(DEMO_PASSWORD)
    for i, (name, unit) in enumerate(zip(OFFICER_NAMES, units, strict=False)):
        officers.append(
            User.objects.create(
                username=f"demo_officer{i + 1}",
                full_name=name,
                organisation=unit,
                roles=int(Role.REPORTER),
                title="联企干部（演示）",
                password=password,
                password_changed_at=timezone.now(),
            )
        )
    return officers


def _status(rng: random.Random, age_days: int) -> str:
    """Older demands are mostly closed; recent ones spread over every state."""
    weights = (
        {"closed": 70, "answered": 10, "in_progress": 8, "pending": 4, "returned": 8}
        if age_days > 60
        else {"closed": 20, "answered": 25, "in_progress": 25, "pending": 25, "returned": 5}
    )
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _demand(
    rng: random.Random,
    firm: Enterprise,
    *,
    officer: User,
    visit: Visit | None,
    day: dt.date,
    departments: dict[str, Organisation],
    sla: dict[str, int],
    handlers: dict[int, User],
    today: dt.date,
) -> None:
    category = rng.choice(list(TOPICS))
    title, text = TOPICS[category]
    department = departments[category]
    deadline = deadline_for(day, sla[category], "workday")
    demand = Demand.objects.create(
        # replaced by the numbered code below, once the row has its id (as the service does)
        code=f"tmp-{uuid.uuid4().hex[:12]}",
        enterprise=firm,
        organisation_id=firm.organisation_id,
        visit=visit,
        source=Demand.Source.OFFICER,
        raised_by=officer,
        raised_on=day,
        category=category,
        title=title,
        content=text.format(n=rng.randint(2, 60)) + "（演示数据）",
        department=department,
        sla_workdays=sla[category],
        routed_on=day,
        due_on=deadline.due,
        due_provisional=deadline.provisional,
    )
    demand.code = f"QS{day.year}-{demand.pk:06d}"
    status = _status(rng, (today - day).days)
    events = [(DemandEvent.Action.RAISE, "", "pending", officer, "联企干部提出")]
    handler = handlers[department.pk]
    if status != "pending":
        events.append((DemandEvent.Action.ACCEPT, "pending", "in_progress", handler, ""))
    if status == "returned":
        demand.return_reason = "经核实不属本部门职责，请改派（演示）"
        events.append((DemandEvent.Action.RETURN, "in_progress", "returned", handler, ""))
    if status in ("answered", "closed"):
        lag = rng.choice((2, 4, 6, 8, 9, 12, 16))
        answered = min(day + dt.timedelta(days=lag), today)
        demand.answer = ANSWERS[category]
        demand.answered_by = handler
        demand.answered_on = answered
        demand.answered_on_time = answered <= demand.due_on
        events.append((DemandEvent.Action.ANSWER, "in_progress", "answered", handler, ""))
        if status == "closed":
            if rng.random() < 0.12:
                demand.reopen_count = 1
            demand.confirmed_by = officer
            demand.confirmed_on = min(answered + dt.timedelta(days=rng.randint(1, 5)), today)
            demand.confirmed_on_behalf = True
            demand.satisfaction = rng.choices((5, 4, 3, 2, 1), weights=(45, 35, 12, 5, 3))[0]
            events.append(
                (DemandEvent.Action.CONFIRM, "answered", "closed", officer, "联企干部代企业确认")
            )
    demand.status = status
    demand.save()
    DemandEvent.objects.bulk_create(
        DemandEvent(
            demand=demand,
            action=action,
            actor=actor,
            actor_unit=actor.organisation.short_name or actor.organisation.name,
            status_before=before,
            status_after=after,
            note=note,
        )
        for action, before, after, actor, note in events
    )


def _assign(
    ctx: DemoContext, officers: Sequence[User], firms: Sequence[Enterprise], start: dt.date
) -> dict[int, list[Enterprise]]:
    mine: dict[int, list[Enterprise]] = {o.pk: [] for o in officers}
    rows = []
    for i, firm in enumerate(firms):
        officer = officers[i % len(officers)]
        mine[officer.pk].append(firm)
        rows.append(LiaisonAssignment(enterprise=firm, officer=officer, valid_from=start))
    LiaisonAssignment.objects.bulk_create(rows)
    return mine


@generator(order=72, name="联企服务与企业诉求")
def enterprise_service(ctx: DemoContext) -> None:
    if ctx.is_province or "SFS" not in ctx.orgs or "demo_supervisor" not in ctx.users:
        return
    rng = ctx.rng
    today = timezone.localdate()
    start = today - dt.timedelta(days=365)
    departments = _departments(ctx)
    land = _user(
        ctx,
        "demo_land",
        full_name="丁自然",
        org=ctx.orgs["SFS-ZRZY"],
        role=Role.REPORTER,
        title="市自然资源局科员",
    )
    handlers = {org.pk: land for org in departments.values()}
    for category, org in departments.items():
        if category != "land":
            handlers[org.pk] = User.objects.create(
                username=f"demo_dept_{category}",
                full_name=f"{org.short_name}办理人",
                organisation=org,
                roles=int(Role.REPORTER),
                title="诉求办理（演示）",
                password=make_password(DEMO_PASSWORD),
                password_changed_at=timezone.now(),
            )
    sla = dict(DemandSlaRule.objects.values_list("category", "workdays"))
    park_firms = list(
        Enterprise.objects.filter(park__isnull=False).order_by("park__code", "id")[:240]
    )
    if not park_firms:
        return
    officers = _officers(ctx)
    mine = _assign(ctx, officers, park_firms, start)
    visits = demands = 0
    for officer in officers:
        for firm in mine[officer.pk]:
            for quarter_start in range(0, 360, 91):
                if rng.random() < 0.3:
                    continue
                day = start + dt.timedelta(days=quarter_start + rng.randint(0, 85))
                if day > today:
                    continue
                visit = Visit.objects.create(
                    enterprise=firm,
                    officer=officer,
                    officer_unit_id=officer.organisation_id,
                    visited_on=day,
                    people_met=rng.choice(("总经理", "生产副总", "财务总监", "办公室主任"))
                    + "（演示）",
                    notes="了解生产经营、项目建设和用工用能情况（演示数据）。",
                )
                visits += 1
                if rng.random() < 0.35:
                    _demand(
                        rng,
                        firm,
                        officer=officer,
                        visit=visit,
                        day=day,
                        departments=departments,
                        sla=sla,
                        handlers=handlers,
                        today=today,
                    )
                    demands += 1
    # The enterprise's own login: the first enterprise of demo_reporter's list.
    reporter = ctx.users.get("demo_reporter")
    firm = mine[reporter.pk][0] if reporter is not None and mine.get(reporter.pk) else park_firms[0]
    account = _user(
        ctx,
        "demo_enterprise",
        full_name=f"{firm.name[:30]}联络人",
        org=firm.organisation,
        role=Role.ENTERPRISE,
        title="企业联络人",
    )
    EnterpriseAccount.objects.create(user=account, enterprise=firm)
    ctx.counts["enterprise_visits"] = visits
    ctx.counts["enterprise_demands"] = demands
