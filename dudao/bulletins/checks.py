"""The bulletins' deployment checks (run by `dudao check-deploy`): the Chinese fonts the charts
and the PDF need, and LibreOffice for the PDF download (docs/operations.md 通报排版字体)."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

from django.core import checks

from dudao.bulletins.pdf import soffice_path

# The free fonts the server substitutes for the official ones (deploy/fontconfig), and the
# Debian package of each.
SUBSTITUTES = {
    "Noto Sans CJK SC": "fonts-noto-cjk",
    "Noto Serif CJK SC": "fonts-noto-cjk",
    "AR PL KaitiM GB": "fonts-arphic-gkai00mp",
}


def installed_families() -> set[str] | None:
    """Every font family fontconfig knows, or None without fontconfig."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listed = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [fc_list, "-f", "%{family}\n"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return {name.strip() for line in listed.splitlines() for name in line.split(",")}


def check_fonts(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    families = installed_families()
    if families is None:
        return [
            checks.Error(
                "服务器未安装 fontconfig（fc-list）：通报图表和 PDF 无法找到中文字体。"
                "请安装 fontconfig 与 fonts-noto-cjk。",
                id="bulletins.E001",
            )
        ]
    missing = sorted(f for f in SUBSTITUTES if f not in families)
    if not missing:
        return []
    packages = " ".join(sorted({SUBSTITUTES[f] for f in missing}))
    level = checks.Error if "Noto Sans CJK SC" in missing else checks.Warning
    return [
        level(
            f"缺少通报所需字体：{'、'.join(missing)}。请安装：apt-get install {packages}",
            id="bulletins.E002" if level is checks.Error else "bulletins.W002",
        )
    ]


def check_libreoffice(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if soffice_path() is None:
        return [
            checks.Warning(
                "未找到 LibreOffice（soffice）：通报只能下载 Word，不能下载 PDF。"
                "请安装 libreoffice-writer-nogui，或用 DUDAO_SOFFICE 指定路径。",
                id="bulletins.W001",
            )
        ]
    return []


def register_deploy_checks() -> None:
    checks.register(check_fonts, "dudao_deploy", deploy=True)
    checks.register(check_libreoffice, "dudao_deploy", deploy=True)
