"""观摩督导 models (`dudao.inspections.models`): Scoring: cards, scores, votes, results."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dudao.core.scoping import ScopedQuerySet
from dudao.inspections.models.sheets import Criterion
from dudao.inspections.models.tours import Judge, Site, Tour, TourUnit, UnitGroup

# --- Scoring: cards, scores, votes, results -------------------------------------------------------


def photo_path(instance: ScoreCard, filename: str) -> str:
    return f"inspections/{instance.site.tour_id}/{instance.site_id}/{instance.judge_id}-{filename}"


class ScoreCard(models.Model):
    """One judge's sheet for one site: the scores, a comment, a photo. Saved many times
    (idempotent updates) until the judge submits it; then it is closed."""

    class Status(models.TextChoices):
        DRAFT = "draft", "填写中"
        SUBMITTED = "submitted", "已提交"

    judge = models.ForeignKey(
        Judge, verbose_name="评委", on_delete=models.CASCADE, related_name="cards"
    )
    site = models.ForeignKey(
        Site, verbose_name="观摩点位", on_delete=models.CASCADE, related_name="cards"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    comment = models.TextField("评语", blank=True, max_length=1000)
    photo = models.FileField("现场照片", upload_to=photo_path, blank=True)
    last_key = models.CharField("最近一次保存的幂等键", max_length=64, blank=True)
    last_seq = models.BigIntegerField("最近一次保存的客户端序号", default=0)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "评分表（评委）"
        verbose_name_plural = "评分表（评委）"
        constraints = [models.UniqueConstraint(fields=["judge", "site"], name="insp_card_once")]
        indexes = [models.Index(fields=["site", "status"], name="insp_card_site_status")]

    def __str__(self) -> str:
        return f"{self.judge} · {self.site}"

    @property
    def organisation(self) -> Any:
        return self.site.county


class Score(models.Model):
    """Points of one criterion on one card (0 … max, in steps of 0.5)."""

    card = models.ForeignKey(
        ScoreCard, verbose_name="评分表", on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name="评分项", on_delete=models.PROTECT, related_name="+"
    )
    points = models.DecimalField("得分", max_digits=5, decimal_places=1)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "得分"
        verbose_name_plural = "得分"
        constraints = [
            models.UniqueConstraint(fields=["card", "criterion"], name="insp_score_once"),
            models.CheckConstraint(condition=Q(points__gte=0), name="insp_score_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.points}"


class RankVote(models.Model):
    """济宁-style ballot line: judge ranks a unit (1 = best) within its ranking group."""

    judge = models.ForeignKey(
        Judge, verbose_name="评委", on_delete=models.CASCADE, related_name="votes"
    )
    unit = models.ForeignKey(
        TourUnit, verbose_name="参评单位", on_delete=models.CASCADE, related_name="votes"
    )
    rank = models.PositiveSmallIntegerField("名次", validators=[MinValueValidator(1)])
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "排名投票"
        verbose_name_plural = "排名投票"
        constraints = [
            models.UniqueConstraint(fields=["judge", "unit"], name="insp_vote_once"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="insp_vote_rank_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: 第{self.rank}名"


class UnitResultQuerySet(ScopedQuerySet["UnitResult"]):
    scope_field = "unit__county"


class UnitResult(models.Model):
    """A published (locked) result of a unit, with every intermediate number in `details`."""

    tour = models.ForeignKey(
        Tour, verbose_name="观摩活动", on_delete=models.CASCADE, related_name="results"
    )
    unit = models.OneToOneField(
        TourUnit, verbose_name="参评单位", on_delete=models.CASCADE, related_name="result"
    )
    unit_group = models.ForeignKey(
        UnitGroup, verbose_name="排名分组", on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField("得分", max_digits=7, decimal_places=2, null=True)
    rank = models.PositiveSmallIntegerField("组内名次", null=True)
    method = models.CharField("评分方法", max_length=15)
    details = models.JSONField("计算过程", default=dict)
    published_at = models.DateTimeField("发布时间")

    objects: ClassVar[UnitResultQuerySet] = UnitResultQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "观摩结果"
        verbose_name_plural = "观摩结果"
        ordering = ["tour_id", "unit_group_id", "rank"]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.score}（第{self.rank}名）"

    @property
    def organisation(self) -> Any:
        return self.unit.county
