"""LibreOffice PDF conversion: profile isolation, font aliases and failures in Chinese."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from dudao.bulletins import pdf
from dudao.core.exceptions import DomainError


def test_aliases_file_ships_with_the_project_and_maps_every_gongwen_name() -> None:
    text = pdf.FONT_ALIASES.read_text(encoding="utf-8")
    for name in (
        "仿宋_GB2312",
        "仿宋",
        "FangSong",
        "宋体",
        "黑体",
        "楷体_GB2312",
        "楷体",
        "方正小标宋简体",
    ):
        assert f"<string>{name}</string>" in text, name
    for face in ("Noto Serif CJK SC", "Noto Sans CJK SC", "AR PL KaitiM GB"):
        assert face in text


def test_fontconfig_file_loads_the_aliases_before_the_system_config(tmp_path: Path) -> None:
    text = pdf.fontconfig_file(tmp_path).read_text(encoding="utf-8")
    assert text.index(str(pdf.FONT_ALIASES)) < text.index(str(pdf.SYSTEM_FONTS_CONF))
    assert str(tmp_path / "fontcache") in text


def test_configured_soffice_that_does_not_exist_means_no_pdf(tmp_path: Path) -> None:
    with override_settings(DUDAO_SOFFICE=str(tmp_path / "missing-soffice")):
        assert not pdf.pdf_available()
        with pytest.raises(DomainError, match="未安装 LibreOffice"):
            pdf.docx_to_pdf(b"PK")


def test_empty_input_is_refused() -> None:
    with pytest.raises(DomainError, match="文件为空"):
        pdf.docx_to_pdf(b"")


def test_timeout_and_failure_are_chinese_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def too_slow(command: list[str], **kwargs: Any) -> None:
        calls.append({"command": command, **kwargs})
        raise subprocess.TimeoutExpired(command, kwargs["timeout"])

    monkeypatch.setattr(pdf, "soffice_path", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(subprocess, "run", too_slow)
    with pytest.raises(DomainError, match="超时"):
        pdf.docx_to_pdf(b"PK\x03\x04")
    command = calls[0]["command"]
    assert calls[0]["timeout"] == 60
    assert any(arg.startswith("-env:UserInstallation=file:///") for arg in command)
    assert "--headless" in command
    assert calls[0]["env"]["FONTCONFIG_FILE"].endswith("fonts.conf")

    def fails(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        return subprocess.CompletedProcess(command, 1, b"", b"error")

    monkeypatch.setattr(subprocess, "run", fails)
    with pytest.raises(DomainError, match="未能把文件转换为 PDF"):
        pdf.docx_to_pdf(b"PK\x03\x04")


def test_two_conversions_use_separate_profiles(monkeypatch: pytest.MonkeyPatch) -> None:
    profiles: list[str] = []

    def record(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        profiles.extend(a for a in command if a.startswith("-env:UserInstallation="))
        return subprocess.CompletedProcess(command, 1, b"", b"")

    monkeypatch.setattr(pdf, "soffice_path", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(subprocess, "run", record)
    for _ in range(2):
        with pytest.raises(DomainError):
            pdf.docx_to_pdf(b"PK\x03\x04")
    assert len(set(profiles)) == 2
