"""Every write of 督查通报: one transaction, a role check, one audit event per change.

draft (make_draft) → edit prose / override a figure with a reason → submit → approve (签发:
numbered, frozen with its .docx and SHA-256) or return with a reason → edit → submit again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.bulletins import kinds
from dudao.bulletins.content import Builder, all_text, parse_editor_text
from dudao.bulletins.models import Bulletin, BulletinCounter, BulletinFigure, BulletinKind
from dudao.bulletins.render import render_docx, shown_values
from dudao.bulletins.rules import (
    AUTHOR_ROLES,
    COUNTY_KINDS,
    SIGNER_ROLES,
    draft_number,
    issued_number,
)
from dudao.core.exceptions import DomainError, InvalidTransition, NotAllowed
from dudao.core.periods import Period
from dudao.core.policies import require_role
from dudao.core.roles import Role
from dudao.core.versions import check_version
from dudao.orgs.models import Organisation
from dudao.stats import selectors as stats
from dudao.supervision import services as supervision

if TYPE_CHECKING:
    from dudao.accounts.models import User

S = Bulletin.Status
MAX_FIGURE_TEXT = 60


def _scope_of(actor: User, kind: BulletinKind, scope: Organisation | None) -> Organisation:
    org = actor.organisation
    if org is None:
        raise DomainError("您的账户未归属任何单位，不能起草通报。")
    if scope is None:
        city = stats.city_of(org)
        if city is None:
            raise DomainError("您所在单位不在任何市之下，请指定范围。", field="scope")
        scope = city
    if not scope.path.startswith(org.scope_path):
        raise Http404("没有这个单位，或不在您的数据范围内。")
    if scope.kind == Organisation.Kind.COUNTY_GOV:
        if kind.code not in COUNTY_KINDS:
            raise DomainError(f"“{kind.name}”只能以全市为范围起草。", field="scope")
    elif scope.kind != Organisation.Kind.CITY_GOV:
        raise DomainError("范围只能是市政府或县（市、区）政府。", field="scope")
    return scope


def _recipients(city: Organisation, scope: Organisation, codes: list[str]) -> list[Organisation]:
    """Active units of these kinds in the scope's tree (a county scope: the county itself when
    county governments are listed)."""
    return list(
        Organisation.objects.filter(path__startswith=scope.path, kind__in=codes, is_active=True)
        .exclude(pk=city.pk)
        .order_by("sort_order", "path")
    )


# How a 主送 line names a whole group of units (as issued documents do: "各县（市、区）人民政府").
GROUP_NAMES = {
    Organisation.Kind.COUNTY_GOV: "各县（市、区）人民政府",
    Organisation.Kind.PARK_COMMITTEE: "各产业集聚区管理委员会",
}


def recipient_text(orgs: list[Organisation]) -> str:
    """ "各县（市、区）人民政府、各产业集聚区管理委员会" when a kind has several units; a single
    unit by its name; other kinds by name."""
    parts: list[str] = []
    by_kind: dict[str, list[Organisation]] = {}
    for org in orgs:
        by_kind.setdefault(org.kind, []).append(org)
    for kind, members in by_kind.items():
        group = GROUP_NAMES.get(Organisation.Kind(kind))
        if group and len(members) > 1:
            parts.append(group)
        else:
            parts.extend(o.name for o in members)
    return "、".join(parts)


def _fill(bulletin: Bulletin, built: Builder) -> None:
    BulletinFigure.objects.bulk_create(
        BulletinFigure(
            bulletin=bulletin,
            key=f.key,
            label=f.label,
            display=f.display,
            raw=f.raw,
            unit=f.unit,
            source_module=f.source_module,
            source_indicator=f.source_indicator[:80],
            source_period=f.source_period,
            source_scope=f.source_scope,
            lock_state=f.lock_state,
            fingerprint=f.fingerprint,
            sort_order=i,
        )
        for i, f in enumerate(built.figures.values())
    )


@transaction.atomic(durable=True)
def make_draft(
    *, actor: User, kind: str | BulletinKind, period: Period, scope: Organisation | None = None
) -> Bulletin:
    """Generate a draft from the data: blocks, figures with their sources, recipients."""
    return _make_draft(actor=actor, kind=kind, period=period, scope=scope)


def _make_draft(
    *, actor: User, kind: str | BulletinKind, period: Period, scope: Organisation | None = None
) -> Bulletin:
    """make_draft inside the caller's transaction (the demo generator's)."""
    require_role(actor, *AUTHOR_ROLES)
    if isinstance(kind, str):
        kind = kind.replace("\x00", "")[:20]
        found = BulletinKind.objects.filter(code=kind, is_active=True).first()
        if found is None:
            raise DomainError(f"没有“{kind}”这种通报类型。", field="kind")
        kind = found
    scope = _scope_of(actor, kind, scope)
    city = stats.city_of(scope)
    if city is None or actor.organisation is None:
        raise DomainError("范围不在任何市之下。", field="scope")
    built = kinds.build(kinds.Context(actor, kind, period, scope, city))
    scope_name = "全市" if scope.pk == city.pk else scope.display_name
    place = city.display_name.removesuffix("人民政府")
    main = _recipients(city, scope, list(kind.main_to_kinds))
    copies = _recipients(city, scope, list(kind.copy_to_kinds))
    bulletin = Bulletin.objects.create(
        kind=kind,
        period=period.first_day.replace(month=period.last_month),
        scope_org=scope,
        issuer_org=actor.organisation,
        issuer_mark=f"{(scope if scope.pk != city.pk else city).name}{kind.issuer_suffix}",
        title=kind.title_template.format(
            period=f"{period.year}年{period.last_month}月",
            scope=scope_name if scope.pk != city.pk else place,
        ),
        number_text=draft_number(kind, period.year),
        year=period.year,
        main_to=recipient_text(main),
        copy_to=recipient_text(copies),
        content={"blocks": built.blocks, "attachments": built.attachments},
        author=actor,
    )
    bulletin.recipients.set([*main, *copies])
    _fill(bulletin, built)
    bulletin.search_text = all_text(bulletin.content, shown_values(bulletin))
    bulletin.save(update_fields=["search_text"])
    record_event(
        actor=actor,
        action="bulletin.draft",
        obj=bulletin,
        after={
            "kind": kind.code,
            "period": f"{period.year}-{period.last_month:02d}",
            "scope": scope.code,
            "figures": len(built.figures),
        },
    )
    return bulletin


def _lock(actor: User, bulletin: Bulletin | int, version: int | None) -> Bulletin:
    pk = bulletin.pk if isinstance(bulletin, Bulletin) else bulletin
    locked = (
        Bulletin.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("kind", "issuer_org")
        .filter(pk=pk)
        .first()
    )
    if locked is None:
        raise Http404("没有这份通报，或不在您的数据范围内。")
    check_version(locked, version, what="通报")
    return locked


def _editable(actor: User, bulletin: Bulletin) -> None:
    require_role(actor, *AUTHOR_ROLES)
    if bulletin.status not in (S.DRAFT, S.RETURNED):
        raise InvalidTransition(f"通报当前为“{bulletin.get_status_display()}”，不能修改。")
    org = actor.organisation
    if org is None or not bulletin.issuer_org.path.startswith(org.scope_path):
        raise NotAllowed("只有起草单位可以修改通报。")


def _touch(bulletin: Bulletin, *fields: str) -> None:
    bulletin.version = F("version") + 1
    bulletin.updated_at = timezone.now()
    bulletin.save(update_fields=["version", "updated_at", *fields])
    bulletin.refresh_from_db(fields=["version"])


@transaction.atomic(durable=True)
def edit_paragraph(
    *, actor: User, bulletin: Bulletin | int, paragraph: str, text: str, version: int | None
) -> Bulletin:
    """Rewrite one paragraph's prose; 〔数据项〕 placeholders stay references to figures."""
    locked = _lock(actor, bulletin, version)
    _editable(actor, locked)
    figures = {f.label: f.key for f in locked.figures.all()}
    segments = parse_editor_text(text, figures)
    content = locked.content
    target = None
    for where in [content.get("blocks", [])] + [
        a["blocks"] for a in content.get("attachments", [])
    ]:
        for block in where:
            if block.get("type") == "paragraph" and block.get("id") == paragraph:
                target = block
    if target is None:
        raise DomainError("没有这个段落。", field="paragraph")
    before = target["segments"]
    target["segments"] = segments
    locked.content = content
    locked.search_text = all_text(content, shown_values(locked))
    _touch(locked, "content", "search_text")
    record_event(
        actor=actor,
        action="bulletin.edit",
        obj=locked,
        before={"paragraph": paragraph, "segments": before},
        after={"paragraph": paragraph, "segments": segments},
    )
    return locked


@transaction.atomic(durable=True)
def override_figure(
    *,
    actor: User,
    bulletin: Bulletin | int,
    key: str,
    value: str,
    reason: str,
    version: int | None,
) -> Bulletin:
    """Type over a figure by hand (flagged; a reason is required before 签发). An empty value
    restores the value from the data."""
    locked = _lock(actor, bulletin, version)
    _editable(actor, locked)
    figure = locked.figures.filter(key=key).first()
    if figure is None:
        raise DomainError("没有这个数据项。", field="key")
    value = (value or "").replace("\x00", "").strip()
    reason = (reason or "").replace("\x00", "").strip()
    if len(value) > MAX_FIGURE_TEXT:
        raise DomainError(f"数据值最多 {MAX_FIGURE_TEXT} 个字符。", field="value")
    if len(reason) > 500:
        raise DomainError("修改原因最多 500 字。", field="reason")
    before = {"overridden": figure.overridden, "value": figure.shown}
    if not value or value == figure.display:
        figure.overridden, figure.override_display, figure.override_reason = False, "", ""
    else:
        figure.overridden, figure.override_display, figure.override_reason = True, value, reason
    figure.save(update_fields=["overridden", "override_display", "override_reason"])
    locked.search_text = all_text(locked.content, shown_values(locked))
    _touch(locked, "search_text")
    record_event(
        actor=actor,
        action="bulletin.override",
        obj=locked,
        before={"key": key, **before},
        after={"key": key, "overridden": figure.overridden, "value": figure.shown},
        reason=reason,
    )
    return locked


@transaction.atomic(durable=True)
def submit(*, actor: User, bulletin: Bulletin | int, version: int | None) -> Bulletin:
    """送审: every figure typed over by hand must say why."""
    return _submit(actor=actor, bulletin=bulletin, version=version)


def _submit(
    *, actor: User, bulletin: Bulletin | int, version: int | None, notify: bool = True
) -> Bulletin:
    locked = _lock(actor, bulletin, version)
    _editable(actor, locked)
    missing = [f.label for f in locked.figures.filter(overridden=True, override_reason="")]
    if missing:
        raise DomainError(
            f"以下数据项为手工修改，须填写修改原因后才能送审：{'、'.join(missing)}。",
            field="figures",
        )
    locked.status = S.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.return_reason = ""
    _touch(locked, "status", "submitted_at", "return_reason")
    record_event(actor=actor, action="bulletin.submit", obj=locked, after={"status": S.SUBMITTED})
    if notify:
        _notify_signers(locked)
    return locked


def _notify_signers(bulletin: Bulletin) -> None:
    from dudao.accounts.models import User

    gov = stats.city_of(bulletin.issuer_org) or bulletin.issuer_org
    leaders = [
        u
        for u in User.objects.filter(is_active=True, organisation__path__startswith=gov.path)
        if u.has_role(Role.LEADER)
        and u.organisation is not None
        and bulletin.issuer_org.path.startswith(u.organisation.scope_path)
    ]
    supervision.notify_users(
        users=leaders,
        title=f"待签发：{bulletin.title}",
        body="请审阅并签发，或退回修改。",
        url=reverse("bulletins:detail", args=[bulletin.pk]),
    )


def _check_signer(actor: User, bulletin: Bulletin) -> None:
    require_role(actor, *SIGNER_ROLES)
    if not actor.has_role(Role.LEADER) and actor.pk == bulletin.author_id:
        raise NotAllowed("起草人不能签发自己起草的通报，请由领导或其他督查员签发。")


@transaction.atomic(durable=True)
def return_bulletin(
    *, actor: User, bulletin: Bulletin | int, reason: str, version: int | None
) -> Bulletin:
    locked = _lock(actor, bulletin, version)
    _check_signer(actor, locked)
    if locked.status != S.SUBMITTED:
        raise InvalidTransition(f"通报当前为“{locked.get_status_display()}”，不能退回。")
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise DomainError("请填写退回原因。", field="reason")
    if len(reason) > 1000:
        raise DomainError("退回原因最多 1000 字。", field="reason")
    locked.status = S.RETURNED
    locked.return_reason = reason
    _touch(locked, "status", "return_reason")
    record_event(
        actor=actor,
        action="bulletin.return",
        obj=locked,
        after={"status": S.RETURNED},
        reason=reason,
    )
    supervision.notify_users(
        users=[locked.author],
        title=f"通报被退回：{locked.title}",
        body=reason,
        url=reverse("bulletins:detail", args=[locked.pk]),
    )
    return locked


def next_number(kind: BulletinKind, year: int) -> int:
    """Take the next sequence number of (kind, year) under a row lock: consecutive, no gap,
    no reuse (the caller's transaction holds the lock until it commits)."""
    counter = BulletinCounter.objects.select_for_update().filter(kind=kind, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                BulletinCounter.objects.create(kind=kind, year=year, last=0)
        except IntegrityError:
            pass  # another 签发 created it first; lock theirs
        counter = BulletinCounter.objects.select_for_update().get(kind=kind, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


@transaction.atomic(durable=True)
def approve(*, actor: User, bulletin: Bulletin | int, version: int | None) -> Bulletin:
    """签发: number it, freeze it (.docx bytes and SHA-256 stored), audit it."""
    return _approve(actor=actor, bulletin=bulletin, version=version)


def _approve(
    *, actor: User, bulletin: Bulletin | int, version: int | None, now: dt.datetime | None = None
) -> Bulletin:
    """approve inside the caller's transaction; `now` backdates a demo bulletin."""
    locked = _lock(actor, bulletin, version)
    _check_signer(actor, locked)
    if locked.status != S.SUBMITTED:
        raise InvalidTransition(f"通报当前为“{locked.get_status_display()}”，不能签发。")
    seq = next_number(locked.kind, locked.year)
    now = now or timezone.now()
    locked.seq = seq
    locked.number_text = issued_number(locked.kind, locked.year, seq)
    locked.status = S.APPROVED
    locked.signer = actor
    locked.signed_at = now
    locked.signed_on = timezone.localdate(now)
    data = render_docx(locked)
    locked.docx = data
    locked.docx_sha256 = hashlib.sha256(data).hexdigest()
    _touch(
        locked,
        "seq",
        "number_text",
        "status",
        "signer",
        "signed_at",
        "signed_on",
        "docx",
        "docx_sha256",
    )
    record_event(
        actor=actor,
        action="bulletin.approve",
        obj=locked,
        after={
            "status": S.APPROVED,
            "number": locked.number_text,
            "sha256": locked.docx_sha256,
        },
    )
    return locked
