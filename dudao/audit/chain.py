"""The audit log's hash chain: every event sealed with an HMAC over its fields and the previous MAC.

Event n stores `seq = n`, `prev_mac` (event n-1's MAC, or GENESIS for n = 1) and
`mac = HMAC-SHA256(key, canonical(fields of n, prev_mac))`. The key (settings.DUDAO_AUDIT_KEY)
lives outside the database, so a database writer can neither edit nor delete an event, nor forge
a replacement, without `verify` finding the first broken link. Deleting the newest events
(tail truncation) leaves a valid shorter chain: the worker appends the chain head to an
append-only anchor file every minute (`write_anchor`), and `verify` checks that every anchored
head still exists with its MAC. The residual window: events written since the last anchor
(at most about a minute) can be truncated unseen.

Writers must not fork the chain: `lock_head` serialises them (PostgreSQL: a transaction-level
advisory lock held until commit; SQLite: every transaction begins IMMEDIATE, which already
holds the database's write lock).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

if TYPE_CHECKING:
    from dudao.audit.models import AuditEvent

GENESIS = "0" * 64
# pg_advisory_xact_lock key of the chain head ("dudaoaud" as a 63-bit integer).
ADVISORY_LOCK_KEY = 0x6475_6461_6F61_7564

FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_name",
    "organisation_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "reason",
    "success",
    "request_id",
    "ip",
    "prev_mac",
)


def _json_value(value: Any) -> Any:
    """The JSON value as both databases give it back (PostgreSQL's jsonb turns 1e16 into an int)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def _field(event: AuditEvent, name: str) -> Any:
    value = getattr(event, name)
    if name == "occurred_at":
        return value.astimezone(dt.UTC).isoformat()
    if name in ("before", "after"):
        return _json_value(json.loads(json.dumps(value))) if value is not None else None
    if name == "ip":
        return str(ipaddress.ip_address(value)) if value else None
    return value


def canonical(event: AuditEvent) -> bytes:
    """The event's sealed fields as one deterministic byte string."""
    fields = {name: _field(event, name) for name in FIELDS}
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def mac_of(event: AuditEvent, key: bytes | None = None) -> str:
    """HMAC-SHA256 of the event's canonical form under the audit key."""
    secret = key if key is not None else settings.DUDAO_AUDIT_KEY
    return hmac.new(secret, canonical(event), hashlib.sha256).hexdigest()


def lock_head() -> None:
    """Serialise chain writers until the current transaction ends (call inside atomic)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
    # SQLite: the transaction began IMMEDIATE (dudao/core/sqlite.py) and holds the write lock.


def head() -> tuple[int, str]:
    """The newest event's (seq, mac), or (0, GENESIS) for an empty log."""
    from dudao.audit.models import AuditEvent

    row = AuditEvent.objects.order_by("-seq").values_list("seq", "mac").first()
    return (row[0], row[1]) if row else (0, GENESIS)


def seal(event: AuditEvent) -> None:
    """Give a new event its place in the chain (caller holds `lock_head`)."""
    seq, prev = head()
    event.seq = seq + 1
    event.prev_mac = prev
    event.mac = mac_of(event)


@dataclass(frozen=True)
class Anchor:
    at: str
    seq: int
    mac: str


@dataclass(frozen=True)
class Result:
    """The outcome of `verify`: ok, or the first broken link in Chinese."""

    ok: bool
    events: int
    head_seq: int
    anchors: int
    problem: str = ""
    event_id: int | None = None


def anchor_file() -> Path:
    return Path(settings.DUDAO_AUDIT_ANCHOR_FILE)


def read_anchors(path: Path | None = None) -> list[Anchor]:
    """The anchored heads, oldest first (a missing file has none)."""
    path = path or anchor_file()
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except FileNotFoundError:
        return []
    anchors = []
    for line in lines:
        parts = line.split()
        if len(parts) == 3 and parts[1].isdigit():
            anchors.append(Anchor(parts[0], int(parts[1]), parts[2]))
    return anchors


def write_anchor(path: Path | None = None) -> Anchor | None:
    """Append the chain head to the anchor file when it moved; return the new anchor, if any."""
    path = path or anchor_file()
    seq, mac = head()
    if seq == 0:
        return None
    anchors = read_anchors(path)
    if anchors and anchors[-1].seq == seq and anchors[-1].mac == mac:
        return None
    anchor = Anchor(timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"), seq, mac)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, f"{anchor.at} {anchor.seq} {anchor.mac}\n".encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return anchor


def _events() -> Iterator[AuditEvent]:
    from dudao.audit.models import AuditEvent

    return AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)


def _link_problem(
    event: AuditEvent, expected_seq: int, prev: str, key: bytes, anchor: Anchor | None
) -> str:
    """Why this link is broken (in Chinese), or "" when it holds."""
    if event.seq != expected_seq:
        return (
            f"第 {expected_seq} 条审计记录缺失（下一条为第 {event.seq} 条，编号 {event.pk}）："
            "审计日志被删除"
        )
    if event.prev_mac != prev:
        return f"第 {event.seq} 条审计记录（编号 {event.pk}）与前一条不相连：审计日志被删除或替换"
    if not hmac.compare_digest(event.mac, mac_of(event, key)):
        return f"第 {event.seq} 条审计记录（编号 {event.pk}）的内容与封印不符：已被篡改"
    if anchor is not None and anchor.mac != event.mac:
        return f"第 {event.seq} 条审计记录（编号 {event.pk}）与 {anchor.at} 的锚点不符：已被替换"
    return ""


def verify(anchors: list[Anchor] | None = None) -> Result:
    """Walk the whole chain in order; stop at the first edit, deletion, insertion or truncation."""
    anchors = read_anchors() if anchors is None else anchors
    anchored = {a.seq: a for a in anchors}
    key = settings.DUDAO_AUDIT_KEY
    expected_seq, prev, count = 1, GENESIS, 0
    for event in _events():
        count += 1
        problem = _link_problem(event, expected_seq, prev, key, anchored.get(event.seq))
        if problem:
            return Result(False, count, event.seq, len(anchors), problem, event.pk)
        prev, expected_seq = event.mac, expected_seq + 1
    last = expected_seq - 1
    beyond = [a for a in anchors if a.seq > last]
    if beyond:
        first = beyond[0]
        return Result(
            False,
            count,
            last,
            len(anchors),
            f"审计日志在第 {last} 条之后被截断：{first.at} 的锚点记录了第 {first.seq} 条",
        )
    return Result(True, count, last, len(anchors))
