"""观摩督导 writes (`dudao.inspections.services`): Scoring."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from dudao.accounts.roles import Role
from dudao.audit.services import record_event
from dudao.core.exceptions import (
    DomainError,
    InvalidTransition,
    NotAllowed,
)
from dudao.core.policies import require_role
from dudao.core.snapshot import diff
from dudao.core.uploads import clean_photo
from dudao.inspections import ballots
from dudao.inspections.models import (
    Criterion,
    Finding,
    Judge,
    RankVote,
    Score,
    ScoreCard,
    Site,
    Tour,
)
from dudao.orgs.models import Organisation

if TYPE_CHECKING:
    from dudao.accounts.models import User
from dudao.inspections.services._base import HALF, S

# --- Scoring ---------------------------------------------------------------------------------


def _scoring_open(tour: Tour) -> None:
    if tour.status == S.PUBLISHED:
        raise InvalidTransition("观摩结果已发布，评分已锁定，不能再修改。")
    if tour.status == S.PLANNING:
        raise InvalidTransition("本次观摩尚未开始评分。")
    if tour.status == S.CLOSED:
        raise InvalidTransition("组织者已结束评分，不能再修改。")


def _conflict(judge: Judge, county: Organisation) -> None:
    if judge.county_id is not None and judge.county_id == county.pk:
        raise NotAllowed(f"按回避规定，评委不能为本人所在的{county.display_name}评分。")


def _seat(actor: User, tour: Tour) -> Judge:
    require_role(actor, Role.JUDGE)
    judge = Judge.objects.filter(tour=tour, user=actor).select_related("user").first()
    if judge is None:
        raise NotAllowed("您不是本次观摩的评委。")
    return judge


def parse_points(value: Any, criterion: Criterion) -> Decimal:
    """Points for one criterion: a number 0 … max in steps of 0.5 (Chinese message otherwise)."""
    try:
        points = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(f"“{criterion.name}”的得分“{value}”不是数字。", field="scores") from None
    if not points.is_finite():
        raise DomainError(f"“{criterion.name}”的得分“{value}”不是数字。", field="scores")
    if points < 0:
        raise DomainError(f"“{criterion.name}”的得分不能为负数。", field="scores")
    if points > criterion.max_points:
        raise DomainError(
            f"“{criterion.name}”得分{points.normalize():f}分，超过满分{criterion.max_points}分。",
            field="scores",
        )
    if points % HALF != 0:
        raise DomainError(
            f"“{criterion.name}”得分必须是0.5分的整数倍（收到{points.normalize():f}）。",
            field="scores",
        )
    return points.quantize(Decimal("0.1"))


def _card(judge: Judge, site: Site) -> ScoreCard:
    """The judge's card for the site, locked (created on first use; one query usually)."""
    card = ScoreCard.objects.select_for_update().filter(judge=judge, site=site).first()
    if card is None:
        created, _ = ScoreCard.objects.get_or_create(judge=judge, site=site)
        card = ScoreCard.objects.select_for_update().get(pk=created.pk)
    return card


def _card_label(judge: Judge, site: Site) -> str:
    return f"{judge.user.full_name} · {site.title}" if judge.user is not None else site.title


@transaction.atomic(durable=True)
def save_card(
    *,
    actor: User,
    site: Site,
    scores: Mapping[Any, Any],
    comment: str | None = None,
    key: str = "",
    seq: int = 0,
) -> ScoreCard:
    """Save (create or update) a judge's scores for one site.

    Idempotent: the same `key` again changes nothing; a save whose client sequence `seq` is
    older than the last one applied is ignored (a late retry must not undo a newer save).
    Refused: a site of the judge's own county, a submitted card, a tour not open for scoring,
    points above the maximum or off the 0.5 step, a criterion of another sheet.
    """
    tour = site.tour
    judge = _seat(actor, tour)
    _conflict(judge, site.county)
    key = (key or "").strip()[:64]
    card = _card(judge, site)
    if key and key == card.last_key:
        return card  # a retry of a save already applied (even if scoring closed since)
    _scoring_open(Tour.objects.get(pk=tour.pk))
    criteria = {c.pk: c for c in Criterion.objects.filter(sheet_id=site.sheet_id)}
    parsed: dict[int, Decimal] = {}
    for raw_id, value in scores.items():
        try:
            criterion = criteria[int(raw_id)]
        except (KeyError, ValueError):
            raise DomainError("评分项不属于该点位的评分表。", field="scores") from None
        if value is None or str(value).strip() == "":
            continue
        parsed[criterion.pk] = parse_points(value, criterion)
    if seq and seq < card.last_seq:
        return card  # an older save arriving late: the newer one stands
    if card.status == ScoreCard.Status.SUBMITTED:
        raise InvalidTransition("您已提交该点位的评分，评分表已关闭，不能再修改。")
    existing = {s.criterion_id: s for s in card.scores.all()}
    before = {str(cid): str(s.points) for cid, s in existing.items()}
    now = timezone.now()
    changed, created = [], []
    for cid, points in parsed.items():
        current = existing.get(cid)
        if current is None:
            created.append(Score(card=card, criterion_id=cid, points=points, updated_at=now))
        elif current.points != points:
            current.points = points
            current.updated_at = now
            changed.append(current)
    Score.objects.bulk_create(created)
    Score.objects.bulk_update(changed, ["points", "updated_at"])
    before_comment = card.comment
    if comment is not None:
        card.comment = comment.strip()[:1000]
    card.last_key = key
    card.last_seq = max(seq, card.last_seq)
    card.updated_at = now
    card.version = card.version + 1
    card.save(update_fields=["comment", "last_key", "last_seq", "updated_at", "version"])
    after = {**before, **{str(cid): str(p) for cid, p in parsed.items()}}
    b, a = diff(
        {"scores": before, "comment": before_comment}, {"scores": after, "comment": card.comment}
    )
    record_event(
        actor=actor,
        action="inspections.card.save",
        obj=card,
        object_repr=_card_label(judge, site),
        organisation=site.county,
        before=b,
        after=a,
    )
    return card


@transaction.atomic(durable=True)
def submit_card(*, actor: User, site: Site) -> ScoreCard:
    """Close the judge's sheet for the site (every criterion scored). Criteria scored below the
    tour's threshold propose draft findings for the organiser. Submitting twice is harmless."""
    tour = site.tour
    judge = _seat(actor, tour)
    _conflict(judge, site.county)
    card = _card(judge, site)
    if card.status == ScoreCard.Status.SUBMITTED:
        return card
    _scoring_open(Tour.objects.get(pk=tour.pk))
    criteria = list(Criterion.objects.filter(sheet_id=site.sheet_id))
    scores = {s.criterion_id: s.points for s in card.scores.all()}
    missing = [c.name for c in criteria if c.pk not in scores]
    if missing:
        raise DomainError(f"还有评分项未打分：{'、'.join(missing)}。", field="scores")
    card.status = ScoreCard.Status.SUBMITTED
    card.submitted_at = timezone.now()
    card.version += 1
    card.save(update_fields=["status", "submitted_at", "version"])
    threshold = tour.finding_threshold
    proposals = [
        Finding(
            tour=tour,
            site=site,
            county=site.county,
            criterion=c,
            card=card,
            title=f"{site.title}：{c.name}得分偏低（{scores[c.pk]}/{c.max_points}）",
            description=card.comment,
            proposed=True,
            created_by=actor,
        )
        for c in criteria
        if threshold > 0 and scores[c.pk] < c.max_points * threshold
    ]
    Finding.objects.bulk_create(proposals)
    record_event(
        actor=actor,
        action="inspections.card.submit",
        obj=card,
        object_repr=_card_label(judge, site),
        organisation=site.county,
        before={"status": ScoreCard.Status.DRAFT},
        after={
            "status": ScoreCard.Status.SUBMITTED,
            "total": str(sum(scores.values(), Decimal(0))),
            "proposed_findings": len(proposals),
        },
    )
    return card


@transaction.atomic(durable=True)
def attach_photo(*, actor: User, site: Site, data: bytes, name: str) -> ScoreCard:
    """Attach a site photo to the judge's card (re-encoded, EXIF removed)."""
    judge = _seat(actor, site.tour)
    _conflict(judge, site.county)
    _scoring_open(Tour.objects.get(pk=site.tour_id))
    clean = clean_photo(data, name)
    card = _card(judge, site)
    if card.status == ScoreCard.Status.SUBMITTED:
        raise InvalidTransition("您已提交该点位的评分，评分表已关闭，不能再修改。")
    old = card.photo.name if card.photo else ""
    card.photo.save(clean.name, ContentFile(clean.content), save=False)
    card.version += 1
    card.save(update_fields=["photo", "version"])
    record_event(
        actor=actor,
        action="inspections.card.photo",
        obj=card,
        object_repr=_card_label(judge, site),
        organisation=site.county,
        before={"photo": old},
        after={"photo": card.photo.name, "width": clean.width, "height": clean.height},
    )
    return card


@transaction.atomic(durable=True)
def cast_votes(*, actor: User, tour: Tour, ranks: Mapping[int, int]) -> list[RankVote]:
    """A judge's rank-vote ballot (济宁 method) for the units of one ranking group: ranks 1 … n,
    each once, the judge's own county left out. A new ballot replaces the previous one. A group
    where the judge has no free choice (fewer than two units left) takes no ballot
    (`dudao.inspections.ballots`)."""
    judge = _seat(actor, tour)
    tour = Tour.objects.get(pk=tour.pk)
    if tour.method != Tour.Method.RANK_VOTE:
        raise DomainError("本次观摩不采用排名投票法。")
    _scoring_open(tour)
    units = {u.pk: u for u in tour.units.select_related("county")}
    chosen = []
    for unit_id in ranks:
        if unit_id not in units:
            raise DomainError("投票中的单位不属于本次观摩。")
        chosen.append(units[unit_id])
    if not chosen:
        raise DomainError("请为各单位排出名次。")
    group_ids = {u.unit_group_id for u in chosen}
    if len(group_ids) != 1:
        raise DomainError("一张选票只能排同一个排名分组内的单位。")
    for unit in chosen:
        _conflict(judge, unit.county)
    expected = ballots.rankable(
        [u for u in units.values() if u.unit_group_id in group_ids], judge.county_id
    )
    if len(expected) < ballots.MIN_CHOICE:  # no free choice: the group is skipped (not filled)
        raise DomainError(ballots.skip_note(len(expected)))
    if len(chosen) != len(expected):
        raise DomainError(f"请为本组全部{len(expected)}个单位排出名次。")
    values = sorted(ranks.values())
    if values != list(range(1, len(expected) + 1)):
        raise DomainError(f"名次必须是1至{len(expected)}，且每个名次只能用一次。")
    previous = {
        str(v.unit_id): v.rank for v in RankVote.objects.filter(judge=judge, unit__in=chosen)
    }
    RankVote.objects.filter(judge=judge, unit__in=chosen).delete()
    votes = RankVote.objects.bulk_create(
        RankVote(judge=judge, unit_id=uid, rank=r) for uid, r in ranks.items()
    )
    record_event(
        actor=actor,
        action="inspections.votes.cast",
        obj=judge,
        organisation=tour.organiser,
        before=previous or None,
        after={str(uid): r for uid, r in ranks.items()},
    )
    return votes
