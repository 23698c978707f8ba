"""Forms of 省级考评 (input parsing only; the rules live in services and scoring)."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from dudao.core.forms import CatalogueErrorsMixin
from dudao.evaluation.models import Dimension, Method, Regime, VetoGate

MIN_YEAR, MAX_YEAR = 2000, 2100


class RegimeForm(CatalogueErrorsMixin, forms.Form):
    code = forms.CharField(
        label="体系编码", max_length=40, help_text="如 HN-2017，导入文件引用此编码。"
    )
    name = forms.CharField(label="体系名称", max_length=120)
    first_year = forms.IntegerField(label="起始年度", min_value=MIN_YEAR, max_value=MAX_YEAR)
    last_year = forms.IntegerField(
        label="终止年度", required=False, min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    source_doc = forms.CharField(label="依据文件", max_length=200, required=False)
    description = forms.CharField(
        label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    predecessor = forms.ModelChoiceField(
        label="上一体系", queryset=Regime.objects.none(), required=False
    )
    strong_size = forms.IntegerField(label="“十强”名额", min_value=1, initial=10)
    fast_size = forms.IntegerField(label="“十快”名额", min_value=1, initial=10)
    fast_min_gain = forms.IntegerField(label="“十快”最少提升位次", min_value=1, initial=1)
    fast_excludes_strong = forms.BooleanField(label="“十强”不再重复评为“十快”", required=False)
    score_decimals = forms.IntegerField(label="得分保留小数位", min_value=0, max_value=4, initial=2)
    star_max = forms.IntegerField(label="最高星级", min_value=1, max_value=9, initial=6)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, regimes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["predecessor"].queryset = regimes  # type: ignore[attr-defined]


def _pairs(text: str) -> list[list[str]]:
    """Lines "下限,分值" (comma, full-width comma or spaces) → [["下限", "分值"], …]."""
    rows = []
    for line in text.splitlines():
        parts = [p for p in re.split(r"[,，\s]+", line.strip()) if p]
        if parts:
            rows.append(parts)
    return rows


class IndicatorForm(CatalogueErrorsMixin, forms.Form):
    code = forms.CharField(label="指标编码", max_length=40)
    name = forms.CharField(label="指标名称", max_length=80)
    unit = forms.CharField(label="计量单位", max_length=20, required=False)
    dimension = forms.ModelChoiceField(
        label="维度", queryset=Dimension.objects.none(), required=False
    )
    method = forms.ChoiceField(label="计分方法", choices=Method.choices)
    weight = forms.DecimalField(label="权重（满分）", max_digits=8, decimal_places=3, initial=0)
    sort_order = forms.IntegerField(label="排序", initial=0, required=False)
    benchmark = forms.CharField(label="基准值（与基准值之比）", required=False)
    target = forms.CharField(label="目标值（完成率）", required=False)
    cap = forms.CharField(
        label="封顶值",
        required=False,
        help_text="比值或完成率的上限（如1.2）；按次加减分的累计上限。",
    )
    tiers = forms.CharField(
        label="分档（分档计分）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一档：下限,得分。如 100000,20 表示 ≥100000 得20分。",
    )
    unit_points = forms.CharField(
        label="每次分值（按次加减分）",
        required=False,
        help_text="加分填正数，减分填负数，如 -0.3。",
    )
    top = forms.CharField(label="第一名分值（位次计分）", required=False, initial="100")
    step = forms.CharField(label="每降一位减分（位次计分）", required=False, initial="3")
    floor = forms.CharField(label="最低分（位次计分）", required=False, initial="0")
    bands = forms.CharField(
        label="百分位分档",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "每行一档：百分位上限,档分（百分制）。如 0.25,100 表示前25%（含）得100分；"
            "最后一档上限为1。"
        ),
    )
    higher_is_better = forms.BooleanField(
        label="数值越大越好（位次、百分位）", required=False, initial=True
    )

    def __init__(self, *args: Any, dimensions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dimension"].queryset = dimensions  # type: ignore[attr-defined]

    def params(self) -> dict[str, Any]:
        """The method's parameters from the cleaned fields (validated by the service)."""
        d = self.cleaned_data
        method = d["method"]
        keys = {
            Method.RATIO: ("benchmark", "cap"),
            Method.COMPLETION: ("target", "cap"),
            Method.EVENTS: ("unit_points", "cap"),
            Method.RANK: ("top", "step", "floor"),
        }.get(method, ())
        params: dict[str, Any] = {k: d[k].strip() for k in keys if d.get(k, "").strip()}
        if method == Method.TIERED:
            params["tiers"] = _pairs(d["tiers"])
        if method == Method.PERCENTILE:
            params["bands"] = _pairs(d["bands"])
        if method in (Method.RANK, Method.PERCENTILE):
            params["higher_is_better"] = d["higher_is_better"]
        return params

    @staticmethod
    def initial_from(indicator: Any) -> dict[str, Any]:
        p = indicator.params
        initial = {
            "code": indicator.code,
            "name": indicator.name,
            "unit": indicator.unit,
            "dimension": indicator.dimension,
            "method": indicator.method,
            "weight": indicator.weight,
            "sort_order": indicator.sort_order,
            "higher_is_better": p.get("higher_is_better", True),
        }
        for key in ("benchmark", "target", "cap", "unit_points", "top", "step", "floor"):
            if key in p:
                initial[key] = p[key]
        for key in ("tiers", "bands"):
            if key in p:
                initial[key] = "\n".join(f"{a},{b}" for a, b in p[key])
        return initial


class DimensionForm(CatalogueErrorsMixin, forms.Form):
    name = forms.CharField(label="维度名称", max_length=60)
    sort_order = forms.IntegerField(label="排序", initial=0, required=False)


class GateForm(CatalogueErrorsMixin, forms.Form):
    code = forms.CharField(label="编码", max_length=40)
    name = forms.CharField(label="否决事项", max_length=120)
    effect = forms.ChoiceField(label="后果", choices=VetoGate.Effect.choices)


class StarRuleForm(CatalogueErrorsMixin, forms.Form):
    level = forms.IntegerField(label="星级", min_value=1, max_value=9)
    min_score = forms.DecimalField(
        label="综合得分不低于", max_digits=10, decimal_places=3, required=False
    )
    max_rank = forms.IntegerField(label="综合排名不低于第（名）", min_value=1, required=False)
    conditions = forms.CharField(
        label="指标门槛",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一项：指标编码,最低值。如 revenue,3000000。",
    )
    source_doc = forms.CharField(label="依据", max_length=200, required=False)

    def condition_list(self) -> list[dict[str, str]]:
        return [
            {"indicator": row[0], "min": row[1] if len(row) > 1 else ""}
            for row in _pairs(self.cleaned_data.get("conditions") or "")
        ]


class ReasonForm(CatalogueErrorsMixin, forms.Form):
    reason = forms.CharField(label="删除原因", max_length=200)


EVALUATION_IMPORTS = (
    ("evaluation-inputs", "考评原始数据"),
    ("evaluation-results", "省级公布的综合排名"),
    ("evaluation-titles", "省级公布的称号名单"),
    ("evaluation-stars", "省级公布的星级名单"),
)
