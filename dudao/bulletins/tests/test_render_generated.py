"""A bulletin the system generated and signed, opened in LibreOffice: its PDF carries the
number, every figure as the archive stores it, the page numbers "— N —" and the 版记.

(The page geometry — 版心, 22 lines × 28 characters — is checked on a long sample in
test_gbt9704_render.py; this test checks the document the workflow actually issues.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dudao.bulletins.pdf import docx_to_pdf, pdf_available
from dudao.bulletins.tests.factories import issued, projects_with_data
from dudao.testing import World

pytestmark = pytest.mark.django_db


def pdf_text(path: Path) -> str:
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext 未安装（Debian 软件包 poppler-utils）"
    done = subprocess.run(  # noqa: S603 - poppler with fixed arguments
        [tool, "-layout", str(path), "-"], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def test_an_issued_bulletin_reads_right_in_libreoffice(world: World, tmp_path: Path) -> None:
    if not pdf_available():
        if os.environ.get("DUDAO_ALLOW_NO_LIBREOFFICE") == "1":
            pytest.skip("未安装 LibreOffice，已按 DUDAO_ALLOW_NO_LIBREOFFICE=1 跳过")
        pytest.fail("未找到 LibreOffice（soffice）：此检查必须运行（.ci/run 会安装）。")
    projects_with_data(world)
    b = issued(world)
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(docx_to_pdf(bytes(b.docx or b"")))
    text = pdf_text(path)
    flat = "".join(text.split())
    assert "示督通〔2026〕1号" in flat
    assert b.title in flat
    for figure in b.figures.all():
        assert figure.shown in flat, figure.label
    assert "—1—" in flat
    assert "抄送：" in flat
    assert "印发" in flat
    assert "None" not in flat
