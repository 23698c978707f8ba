"""Demo data of the cockpit for the fictional 示范市: a 领导 account in every other county
government (明湖区's, `demo_county_leader`, is one of the platform's printed demo accounts) and
the tile-grid layout of the city's ten counties and two city-level parks."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from dudao.accounts.models import User
from dudao.accounts.roles import Role
from dudao.cockpit.models import MapTile
from dudao.demo.registry import DEMO_PASSWORD, DemoContext, generator

# County suffix → (column, row) on the schematic map; city-level parks by their code suffix.
LAYOUT: dict[str, tuple[int, int]] = {
    "QSX": (1, 0),
    "BSX": (2, 0),
    "FYS": (3, 0),
    "LCX": (0, 1),
    "QHQ": (1, 1),
    "MHQ": (2, 1),
    "JSQ": (3, 1),
    "LQX": (4, 1),
    "APX": (1, 2),
    "GXQ": (2, 2),
    "JKQ": (3, 2),
    "FTX": (2, 3),
}
# (county suffix, full name, title) of the other counties' demo leaders.
LEADERS = [
    ("QHQ", "褚区长", "清河区副区长"),
    ("JSQ", "卫区长", "金山区副区长"),
    ("FTX", "蒋县长", "凤台县副县长"),
    ("LQX", "沈县长", "龙泉县副县长"),
    ("APX", "韩县长", "安平县副县长"),
    ("LCX", "杨县长", "临川县副县长"),
    ("FYS", "朱市长", "丰源市副市长"),
    ("QSX", "秦县长", "青石县副县长"),
    ("BSX", "尤县长", "白水县副县长"),
]


@generator(order=60, name="领导驾驶舱")
def cockpit(ctx: DemoContext) -> None:
    if "SFS" not in ctx.orgs:
        return
    MapTile.objects.bulk_create(
        MapTile(organisation=ctx.orgs[f"SFS-{suffix}"], grid_x=x, grid_y=y)
        for suffix, (x, y) in LAYOUT.items()
        if f"SFS-{suffix}" in ctx.orgs
    )
    password = make_password(DEMO_PASSWORD)
    for suffix, full_name, title in LEADERS:
        org = ctx.orgs.get(f"SFS-{suffix}")
        if org is None:
            continue
        User.objects.create(
            username=f"demo_leader_{suffix.lower()}",
            full_name=full_name,
            organisation=org,
            roles=int(Role.LEADER),
            title=title,
            password=password,
            password_changed_at=timezone.now(),
        )
    ctx.counts["county_leaders"] = len(LEADERS) + 1
    ctx.counts["map_tiles"] = len(LAYOUT)
