"""The nodes of a chain (upstream, midstream, downstream links) and the enterprises on them."""

from __future__ import annotations

from django.db import models

from dudao.investment.models.chains import IndustryChain
from dudao.investment.models.deals import Deal


class ChainNode(models.Model):
    """A link of an industry chain (上游/中游/下游), tied to a GB/T 4754 code, with its coverage:
    强链 (anchor enterprises present), 弱链 (thin), 缺链 (a gap to fill by 招商)."""

    class Segment(models.TextChoices):
        UP = "up", "上游"
        MID = "mid", "中游"
        DOWN = "down", "下游"

    class Coverage(models.TextChoices):
        STRONG = "strong", "强链"
        WEAK = "weak", "弱链"
        GAP = "gap", "缺链"

    chain = models.ForeignKey(
        IndustryChain, verbose_name="产业链", on_delete=models.CASCADE, related_name="nodes"
    )
    segment = models.CharField("环节", max_length=4, choices=Segment.choices)
    name = models.CharField("节点", max_length=40)
    industry_code = models.CharField("国民经济行业代码", max_length=4, blank=True)
    coverage = models.CharField("覆盖情况", max_length=8, choices=Coverage.choices)
    sort_order = models.IntegerField("排序", default=0)

    class Meta:
        verbose_name = "产业链节点"
        verbose_name_plural = "产业链节点"
        ordering = ["chain", "segment", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "name"], name="chain_node_name"),
        ]

    def __str__(self) -> str:
        return f"{self.chain.name}·{self.name}"


class ChainEnterprise(models.Model):
    """An enterprise on a chain node: an existing anchor (链主/骨干, with its USCC) or a target
    of 招商 (招商目标企业: origin, 500强)."""

    class Role(models.TextChoices):
        ANCHOR = "anchor", "骨干企业"
        TARGET = "target", "招商目标企业"

    node = models.ForeignKey(
        ChainNode, verbose_name="节点", on_delete=models.CASCADE, related_name="enterprises"
    )
    role = models.CharField("类别", max_length=8, choices=Role.choices)
    name = models.CharField("企业名称", max_length=120)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    origin = models.CharField(
        "所在地", max_length=16, choices=Deal.Origin.choices, default=Deal.Origin.OUT_OF_PROVINCE
    )
    is_fortune500 = models.BooleanField("500强", default=False)

    class Meta:
        verbose_name = "产业链企业"
        verbose_name_plural = "产业链企业"
        ordering = ["node", "role", "id"]

    def __str__(self) -> str:
        return self.name
