"""Pages of 省级考评. Every name needs an entry in policy.py."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "evaluation"

urlpatterns: list[URLPattern] = []
