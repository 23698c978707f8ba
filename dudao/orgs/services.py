"""Writes to the organisation tree. Only 系统管理员 maintains it (reliability.md §1.4)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from stdnum.cn import uscc as uscc_std
from stdnum.exceptions import ValidationError as StdnumError

from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError, full_clean_or_raise
from dudao.core.policies import require_role
from dudao.core.roles import Role
from dudao.core.snapshot import diff, snapshot
from dudao.core.versions import check_version
from dudao.orgs.models import Organisation, path_segment
from dudao.regions.models import Region

if TYPE_CHECKING:
    from dudao.accounts.models import User

EDITABLE_FIELDS = (
    "code",
    "name",
    "short_name",
    "kind",
    "scope_base",
    "region",
    "uscc",
    "sort_order",
    "is_active",
)


def normalise_uscc(value: str) -> str:
    """Return the compact USCC, or raise DomainError with a Chinese message."""
    value = (value or "").strip().upper()
    if not value:
        return ""
    try:
        return str(uscc_std.validate(value))
    except StdnumError:
        raise DomainError(
            f"统一社会信用代码“{value}”无效（应为18位，且校验位正确）。", field="uscc"
        ) from None


def _compute_scope_path(org: Organisation) -> str:
    if org.scope_base == Organisation.ScopeBase.PARENT and org.parent is not None:
        return org.parent.path
    return org.path


def _validate(org: Organisation) -> None:
    full_clean_or_raise(org, exclude=["path", "scope_path", "depth"])


@transaction.atomic(durable=True)
def create_organisation(
    *,
    actor: User,
    name: str,
    code: str,
    kind: str,
    parent: Organisation | None,
    short_name: str = "",
    scope_base: str | None = None,
    region: Region | None = None,
    uscc: str = "",
    sort_order: int = 0,
) -> Organisation:
    """Create an organisation under `parent` (inside the actor's scope) and audit it."""
    require_role(actor, Role.SYSADMIN)
    if parent is None:
        raise DomainError("必须选择上级单位。", field="parent")
    if not Organisation.objects.visible_to(actor).filter(pk=parent.pk).exists():
        raise DomainError("上级单位不存在或不在您的管理范围内。", field="parent")
    org = Organisation(
        name=name.strip(),
        code=code.strip(),
        kind=kind,
        parent=parent,
        short_name=short_name.strip(),
        scope_base=scope_base or Organisation.DEFAULT_SCOPE_BASE.get(kind, "own"),
        region=region,
        uscc=normalise_uscc(uscc),
        sort_order=sort_order,
        path="pending",
        scope_path="pending",
    )
    _validate(org)
    org.save()
    org.path = parent.path + path_segment(org.pk)
    org.depth = parent.depth + 1
    org.scope_path = _compute_scope_path(org)
    org.save(update_fields=["path", "depth", "scope_path"])
    record_event(actor=actor, action="org.create", obj=org, after=snapshot(org))
    return org


def create_root_organisation(*, name: str, code: str, kind: str, **extra: Any) -> Organisation:
    """Create a tree root. Used only by installation commands (createadmin, demo)."""
    with transaction.atomic():
        org = Organisation(
            name=name, code=code, kind=kind, path="pending", scope_path="pending", **extra
        )
        _validate(org)
        org.save()
        org.path = path_segment(org.pk)
        org.scope_path = org.path
        org.save(update_fields=["path", "scope_path"])
        record_event(
            actor=None, action="org.create", obj=org, after=snapshot(org), actor_name="system"
        )
    return org


@transaction.atomic(durable=True)
def update_organisation(
    *, actor: User, org: Organisation, version: int | None = None, **changes: Any
) -> Organisation:
    """Change an organisation's attributes; refuse stale edits (version mismatch → 409)."""
    require_role(actor, Role.SYSADMIN)
    org = Organisation.objects.visible_to(actor).select_for_update().get(pk=org.pk)
    check_version(org, version, what="单位")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"不可修改的字段：{'、'.join(sorted(unknown))}")
    before = snapshot(org)
    if "uscc" in changes:
        changes["uscc"] = normalise_uscc(changes["uscc"])
    for field, value in changes.items():
        setattr(org, field, value.strip() if isinstance(value, str) else value)
    if org.parent is None and org.scope_base == Organisation.ScopeBase.PARENT:
        raise DomainError("根单位的数据范围只能是本单位及下级单位。", field="scope_base")
    if not org.is_active and org.parent is None:
        raise DomainError("不能停用根单位。", field="is_active")
    _validate(org)
    org.scope_path = _compute_scope_path(org)
    org.version = F("version") + 1
    org.updated_at = timezone.now()
    org.save()
    org.refresh_from_db()
    changed_before, changed_after = diff(before, snapshot(org))
    record_event(
        actor=actor, action="org.update", obj=org, before=changed_before, after=changed_after
    )
    return org


@transaction.atomic(durable=True)
def move_organisation(*, actor: User, org: Organisation, new_parent: Organisation) -> Organisation:
    """Re-parent `org` with its whole subtree (paths of all descendants are rewritten)."""
    require_role(actor, Role.SYSADMIN)
    visible = Organisation.objects.visible_to(actor)
    org = visible.select_for_update().get(pk=org.pk)
    new_parent = visible.get(pk=new_parent.pk)
    if org.parent_id is None:
        raise DomainError("不能移动根单位。")
    if new_parent.path.startswith(org.path):
        raise DomainError("不能把单位移到它自己或其下级单位之下。", field="parent")
    old_path, new_path = org.path, new_parent.path + path_segment(org.pk)
    depth_delta = new_parent.depth + 1 - org.depth
    before = {"parent_id": org.parent_id, "path": old_path}
    subtree = Organisation.objects.filter(path__startswith=old_path)
    subtree.update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_delta,
    )
    Organisation.objects.filter(pk=org.pk).update(
        parent=new_parent, version=F("version") + 1, updated_at=timezone.now()
    )
    # Scope paths depend on paths: recompute them for the moved subtree.
    for node in Organisation.objects.filter(path__startswith=new_path).select_related("parent"):
        scope = _compute_scope_path(node)
        if scope != node.scope_path:
            Organisation.objects.filter(pk=node.pk).update(scope_path=scope)
    org.refresh_from_db()
    record_event(
        actor=actor,
        action="org.move",
        obj=org,
        before=before,
        after={"parent_id": new_parent.pk, "path": new_path},
    )
    return org
