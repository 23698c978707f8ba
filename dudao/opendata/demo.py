"""Demo: every project gets a fictional liaison (联络员) and phone number — internal data, so a
leak onto a public page or into an export would show — and the 示范市 supervisor publishes
the city-level projects (市重点)."""

from __future__ import annotations

from dudao.demo.registry import DemoContext, generator

SURNAMES = "赵钱孙李周吴郑王冯陈"
GIVEN = ["演联", "示联", "范联", "虚联"]
# 199-0000-xxxx: an unassigned-looking fictional range, never a real subscriber's number.
PHONE_PREFIX = "1990000"


def liaison_of(pk: int) -> tuple[str, str]:
    """The fictional liaison and phone of demo project `pk` (deterministic)."""
    name = f"{SURNAMES[pk % len(SURNAMES)]}{GIVEN[pk % len(GIVEN)]}{pk % 97:02d}"
    return name, f"{PHONE_PREFIX}{pk % 10_000:04d}"


@generator(order=95, name="信息公开")
def publications(ctx: DemoContext) -> None:
    from dudao.opendata import services
    from dudao.projects.bulk import fast_update
    from dudao.projects.models import Project

    ids = list(Project.objects.order_by("pk").values_list("pk", flat=True))
    if not ids:
        return
    fast_update(Project, ["liaison", "liaison_phone"], [(*liaison_of(pk), pk) for pk in ids])
    supervisor = ctx.users.get("demo_supervisor")
    if supervisor is None:
        return
    city = list(
        Project.objects.filter(level=Project.Level.CITY, is_active=True).values_list(
            "pk", flat=True
        )
    )
    if city:
        services._publish(supervisor, services._projects(supervisor, city))
    ctx.counts["publications"] = len(city)
