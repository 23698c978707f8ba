"""LibreOffice PDF conversion: profile isolation, font aliases and failures in Chinese."""

from __future__ import annotations

import time
from pathlib import Path

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


def fake_soffice(tmp_path: Path, body: str) -> str:
    """A stand-in `soffice` script: records its arguments and environment, then runs `body`."""
    script = tmp_path / "soffice"
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" > "{tmp_path}/args"\n'
        f'printf "%s\\n" "$FONTCONFIG_FILE" > "{tmp_path}/fontconfig"\n' + body + "\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return str(script)


def test_conversion_arguments_and_isolated_profile(tmp_path: Path) -> None:
    # Writes a PDF where LibreOffice would: --outdir DIR, source name with .pdf.
    body = (
        'out=""; prev=""; for a in "$@"; do [ "$prev" = "--outdir" ] && out="$a"; prev="$a"; done\n'
    )
    body += 'mkdir -p "$out" && printf "%%PDF-1.7 fake" > "$out/bulletin.pdf"'
    with override_settings(DUDAO_SOFFICE=fake_soffice(tmp_path, body)):
        assert pdf.pdf_available()
        assert pdf.docx_to_pdf(b"PK\x03\x04") == b"%PDF-1.7 fake"
        first = (tmp_path / "args").read_text(encoding="utf-8").split()
        pdf.docx_to_pdf(b"PK\x03\x04")
        second = (tmp_path / "args").read_text(encoding="utf-8").split()
    assert "--headless" in first
    assert first[first.index("--convert-to") + 1].startswith("pdf")
    profiles = [a for a in first + second if a.startswith("-env:UserInstallation=file:///")]
    assert len(set(profiles)) == 2  # each conversion has its own profile
    assert (tmp_path / "fontconfig").read_text(encoding="utf-8").strip().endswith("fonts.conf")


def test_failure_is_a_chinese_error(tmp_path: Path) -> None:
    for body in ("exit 1", "exit 0"):  # failing, or succeeding without writing a PDF
        with (
            override_settings(DUDAO_SOFFICE=fake_soffice(tmp_path, body)),
            pytest.raises(DomainError, match="未能把文件转换为 PDF"),
        ):
            pdf.docx_to_pdf(b"PK\x03\x04")


def test_timeout_kills_the_whole_office_process_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Like soffice, the launcher starts a child (soffice.bin); both must be gone afterwards.
    body = f'sleep 30 & echo $! > "{tmp_path}/child"; wait'
    monkeypatch.setattr(pdf, "TIMEOUT_SECONDS", 1)
    started = time.monotonic()
    with (
        override_settings(DUDAO_SOFFICE=fake_soffice(tmp_path, body)),
        pytest.raises(DomainError, match="超时"),
    ):
        pdf.docx_to_pdf(b"PK\x03\x04")
    assert time.monotonic() - started < 10
    child = int((tmp_path / "child").read_text(encoding="utf-8"))
    for _ in range(50):
        if not Path(f"/proc/{child}").exists() or "Z" in _state(child):
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"LibreOffice 的子进程 {child} 在超时后仍在运行")


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").split(")")[-1].split()[0]
    except OSError:
        return "Z"
