"""PDF from a bulletin's .docx through LibreOffice (`soffice --headless --convert-to pdf`).

Each conversion runs in its own temporary directory with its own LibreOffice profile
(`-env:UserInstallation`), so parallel conversions (web workers, test processes) never share
a profile lock. Fonts: FONTCONFIG_FILE points at a generated file that first loads the 公文
font aliases (deploy/fontconfig/65-dudao-gongwen.conf) and then the system configuration, so
仿宋_GB2312, 黑体, 楷体_GB2312 and 方正小标宋简体 are drawn with the free substitutes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings

from dudao.core.exceptions import DomainError

TIMEOUT_SECONDS = 60
ALIASES_NAME = "65-dudao-gongwen.conf"
# In a checkout, deploy/fontconfig; installed from the wheel (the offline bundle, the Docker
# image), the copy the wheel puts under <venv>/share/dudao/fontconfig (pyproject data-files).
_ALIASES_CANDIDATES = (
    Path(__file__).resolve().parents[2] / "deploy" / "fontconfig" / ALIASES_NAME,
    Path(sys.prefix) / "share" / "dudao" / "fontconfig" / ALIASES_NAME,
)
FONT_ALIASES = next((p for p in _ALIASES_CANDIDATES if p.is_file()), _ALIASES_CANDIDATES[0])
SYSTEM_FONTS_CONF = Path("/etc/fonts/fonts.conf")


def soffice_path() -> str | None:
    """The LibreOffice executable: settings.DUDAO_SOFFICE when set, else `soffice` on PATH."""
    configured = settings.DUDAO_SOFFICE
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    return soffice_path() is not None


def fontconfig_file(directory: Path) -> Path:
    """Write a fonts.conf into `directory` that loads the aliases, then the system config."""
    includes = []
    if FONT_ALIASES.is_file():
        includes.append(f'  <include ignore_missing="yes">{FONT_ALIASES}</include>')
    includes.append(f'  <include ignore_missing="yes">{SYSTEM_FONTS_CONF}</include>')
    cache = directory / "fontcache"
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<fontconfig>\n"
        + "\n".join(includes)
        + f"\n  <cachedir>{cache}</cachedir>\n</fontconfig>\n"
    )
    path = directory / "fonts.conf"
    path.write_text(text, encoding="utf-8")
    return path


def run_soffice(command: list[str], *, env: dict[str, str], cwd: Path) -> int:
    """Run LibreOffice in its own process group; on timeout the whole group is killed.

    `soffice` is a launcher that starts `soffice.bin`; killing only the launcher would leave
    the real office process running with its profile locked.
    """
    process = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
        command,
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        return process.wait(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise


def docx_to_pdf(docx: bytes) -> bytes:
    """Convert .docx bytes to PDF bytes; a Chinese DomainError when that is not possible."""
    soffice = soffice_path()
    if soffice is None:
        raise DomainError("服务器未安装 LibreOffice，无法生成 PDF，请下载 Word 文件。")
    if not docx:
        raise DomainError("文件为空，无法生成 PDF。")
    with tempfile.TemporaryDirectory(prefix="dudao-pdf-") as tmp:
        work = Path(tmp)
        source = work / "bulletin.docx"
        source.write_bytes(docx)
        profile = work / "profile"
        env = dict(os.environ)
        env["FONTCONFIG_FILE"] = str(fontconfig_file(work))
        env["HOME"] = str(work)  # LibreOffice writes caches under $HOME
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        try:
            returncode = run_soffice(command, env=env, cwd=work)
        except subprocess.TimeoutExpired as exc:
            raise DomainError(f"PDF 转换超时（超过 {TIMEOUT_SECONDS} 秒），请稍后重试。") from exc
        except OSError as exc:
            raise DomainError("无法启动 LibreOffice，PDF 未生成。") from exc
        target = work / "out" / "bulletin.pdf"
        if returncode != 0 or not target.is_file() or target.stat().st_size == 0:
            raise DomainError(
                "LibreOffice 未能把文件转换为 PDF，请检查文件是否为有效的 Word 文档。"
            )
        return target.read_bytes()
