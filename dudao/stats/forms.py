"""Forms of 统计指标."""

from __future__ import annotations

from django import forms

from dudao.core.forms import CatalogueErrorsMixin
from dudao.stats.models import StatsSettings


class SettingsForm(CatalogueErrorsMixin, forms.ModelForm):  # type: ignore[type-arg]
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = StatsSettings
        fields = [
            "gap_mode",
            "drop_trailing_zero_in_prose",
            "rate_decimals",
            "change_prefix",
            "cluster_subject",
        ]
