"""The platform's demo generator: the 示范市 organisation tree and one account per role."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from dudao.accounts.models import User
from dudao.core.roles import Role
from dudao.demo.registry import DEMO_PASSWORD, DEMO_TOTP_KEY, DemoContext, generator
from dudao.orgs.models import Organisation, path_segment
from dudao.regions.models import Region

K = Organisation.Kind

# Fictional counties of the fictional 示范市: (code suffix, name, kind label).
COUNTIES = [
    ("MHQ", "明湖区"),
    ("QHQ", "清河区"),
    ("JSQ", "金山区"),
    ("FTX", "凤台县"),
    ("LQX", "龙泉县"),
    ("APX", "安平县"),
    ("LCX", "临川县"),
    ("FYS", "丰源市"),
    ("QSX", "青石县"),
    ("BSX", "白水县"),
]
# Eighteen parks: two city-level zones and one or two per county.
CITY_PARKS = [
    ("GXQ", "示范市高新技术产业开发区", "高新区"),
    ("JKQ", "示范市经济技术开发区", "经开区"),
]
COUNTY_PARKS = [
    ("MHQ", "明湖产业集聚区"),
    ("QHQ", "清河产业集聚区"),
    ("JSQ", "金山产业集聚区"),
    ("JSQ", "金山商务中心区"),
    ("FTX", "凤台产业集聚区"),
    ("LQX", "龙泉产业集聚区"),
    ("LQX", "龙泉特色商业区"),
    ("APX", "安平产业集聚区"),
    ("LCX", "临川产业集聚区"),
    ("FYS", "丰源产业集聚区"),
    ("FYS", "丰源化工园区"),
    ("QSX", "青石产业集聚区"),
    ("BSX", "白水产业集聚区"),
    ("BSX", "白水农产品加工园区"),
    ("MHQ", "明湖物流园区"),
    ("QHQ", "清河新材料园区"),
]
CITY_OFFICES = [
    ("DCS", "示范市人民政府督查室", "市督查室", K.SUPERVISION_OFFICE),
    ("FGW", "示范市发展和改革委员会", "市发改委", K.DRC),
    ("SWJ", "示范市商务局", "市商务局", K.COMMERCE),
    ("TJJ", "示范市统计局", "市统计局", K.STATISTICS),
    ("DSJ", "示范市大数据管理局", "市大数据局", K.DEPARTMENT),
]
# (username, full name, organisation key, role, title)
ACCOUNTS = [
    ("demo_supervisor", "周督查", "SFS-DCS", Role.SUPERVISOR, "督查室科长"),
    ("demo_leader", "吴市长", "SFS", Role.LEADER, "副市长"),
    ("demo_judge", "郑评委", "SFS-FGW", Role.JUDGE, "重点项目办主任"),
    ("demo_reporter", "王填报", "SFS-MHQ-FGJ", Role.REPORTER, "明湖区发改局科员"),
    ("demo_reviewer", "李审核", "SFS-MHQ", Role.REVIEWER, "明湖区政府办副主任"),
    ("demo_park", "赵园区", "SFS-P01", Role.REPORTER, "明湖产业集聚区管委会科员"),
    ("demo_reporter2", "钱填报", "SFS-QHQ-FGJ", Role.REPORTER, "清河区发改局科员"),
    ("demo_sysadmin", "孙系统", "SFS-DSJ", Role.SYSADMIN, "系统管理员"),
    ("demo_secadmin", "陈安全", "SFS-DSJ", Role.SECADMIN, "安全管理员"),
    ("demo_auditadmin", "林审计", "SFS-DSJ", Role.AUDITADMIN, "审计管理员"),
    # One of the county leaders (dudao/cockpit/demo.py adds the other counties' leaders).
    ("demo_county_leader", "冯区长", "SFS-MHQ", Role.LEADER, "明湖区副区长"),
]


class _TreeBuilder:
    """Creates organisations with their materialized paths (bulk speed for province scale)."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def add(
        self,
        *,
        code: str,
        name: str,
        kind: str,
        parent: Organisation | None,
        short_name: str = "",
        region: Region | None = None,
        sort_order: int = 0,
    ) -> Organisation:
        org = Organisation.objects.create(
            code=code,
            name=name,
            short_name=short_name,
            kind=kind,
            parent=parent,
            scope_base=Organisation.DEFAULT_SCOPE_BASE.get(kind, "own"),
            region=region,
            sort_order=sort_order,
            path=f"tmp-{code}",
            scope_path="",
            depth=1,
        )
        org.path = (parent.path if parent else "") + path_segment(org.pk)
        org.depth = parent.depth + 1 if parent else 1
        org.scope_path = (
            parent.path if parent and org.scope_base == Organisation.ScopeBase.PARENT else org.path
        )
        Organisation.objects.filter(pk=org.pk).update(
            path=org.path, depth=org.depth, scope_path=org.scope_path
        )
        return org


def build_city(ctx: DemoContext, tree: _TreeBuilder, parent: Organisation | None) -> Organisation:
    """Create 示范市 with its offices, ten counties and eighteen parks."""
    city = tree.add(
        code="SFS", name="示范市人民政府", short_name="示范市", kind=K.CITY_GOV, parent=parent
    )
    ctx.orgs["SFS"] = city
    for i, (suffix, name, short, kind) in enumerate(CITY_OFFICES):
        ctx.orgs[f"SFS-{suffix}"] = tree.add(
            code=f"SFS-{suffix}", name=name, short_name=short, kind=kind, parent=city, sort_order=i
        )
    for i, (suffix, name) in enumerate(COUNTIES):
        county = tree.add(
            code=f"SFS-{suffix}",
            name=f"{name}人民政府",
            short_name=name,
            kind=K.COUNTY_GOV,
            parent=city,
            sort_order=10 + i,
        )
        ctx.orgs[county.code] = county
        ctx.orgs[f"{county.code}-FGJ"] = tree.add(
            code=f"{county.code}-FGJ",
            name=f"{name}发展和改革委员会",
            short_name=f"{name}发改委",
            kind=K.DEPARTMENT,
            parent=county,
        )
    parks: list[Organisation] = []
    for suffix, name, short in CITY_PARKS:
        park = tree.add(
            code=f"SFS-{suffix}",
            name=f"{name}管理委员会",
            short_name=short,
            kind=K.PARK_COMMITTEE,
            parent=city,
            sort_order=30,
        )
        ctx.orgs[park.code] = park
        parks.append(park)
    for i, (county_suffix, name) in enumerate(COUNTY_PARKS, start=1):
        park = tree.add(
            code=f"SFS-P{i:02d}",
            name=f"{name}管理委员会",
            short_name=name,
            kind=K.PARK_COMMITTEE,
            parent=ctx.orgs[f"SFS-{county_suffix}"],
        )
        ctx.orgs[park.code] = park
        parks.append(park)
    ctx.counts["parks"] = len(parks)
    return city


def build_province(ctx: DemoContext, tree: _TreeBuilder) -> Organisation:
    """Benchmark scale: the province, 示范市, and every real prefecture with its real counties
    (names and codes from GB/T 2260) and ten fictional parks each."""
    province_region = Region.objects.filter(code="410000").first()
    province = tree.add(
        code="HA",
        name="河南省人民政府（演示）",
        short_name="河南省",
        kind=K.PROVINCE_GOV,
        parent=None,
        region=province_region,
    )
    ctx.orgs["HA"] = province
    build_city(ctx, tree, province)
    parks = ctx.counts["parks"]
    prefectures = list(Region.objects.filter(parent_id="410000").order_by("code"))
    for pref in prefectures:
        city = tree.add(
            code=f"R{pref.code}",
            name=f"{pref.name}人民政府",
            short_name=pref.name,
            kind=K.CITY_GOV,
            parent=province,
            region=pref,
        )
        counties = list(Region.objects.filter(parent=pref).order_by("code"))
        for county_region in counties:
            tree.add(
                code=f"R{county_region.code}",
                name=f"{county_region.name}人民政府",
                short_name=county_region.name,
                kind=K.COUNTY_GOV,
                parent=city,
                region=county_region,
            )
        for n in range(1, 11):
            tree.add(
                code=f"R{pref.code}-P{n:02d}",
                name=f"{pref.name}第{n}园区管理委员会（演示）",
                short_name=f"{pref.name}{n}号园区",
                kind=K.PARK_COMMITTEE,
                parent=city,
            )
            parks += 1
    ctx.counts["parks"] = parks
    return province


@generator(order=10, name="组织机构与账户")
def platform(ctx: DemoContext) -> None:
    """Build the organisation tree and one demo account per role."""
    tree = _TreeBuilder()
    if ctx.is_province:
        build_province(ctx, tree)
    else:
        build_city(ctx, tree, None)
    password = make_password(DEMO_PASSWORD)
    for username, full_name, org_code, role, title in ACCOUNTS:
        user = User.objects.create(
            username=username,
            full_name=full_name,
            organisation=ctx.orgs[org_code],
            roles=int(role),
            title=title,
            password=password,
            password_changed_at=timezone.now(),
        )
        ctx.users[username] = user
        if user.admin_role is not None:
            # Administrators must pass a second factor: the demo enrols the published key.
            TOTPDevice.objects.create(user=user, name="演示验证器", key=DEMO_TOTP_KEY)
    ctx.counts["organisations"] = Organisation.objects.count()
    ctx.counts["users"] = len(ctx.users)
