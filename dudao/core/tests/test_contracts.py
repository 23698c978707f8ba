"""The import contracts (pyproject [tool.importlinter], run by `make lint`) catch a forbidden
import: a temporary module in core that imports a domain app breaks "core imports no app"."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")
def test_lint_imports_fails_on_a_forbidden_import() -> None:
    probe = ROOT / "dudao" / "core" / f"_contract_probe_{uuid.uuid4().hex[:8]}.py"
    try:
        probe.write_text('"""Temporary: a forbidden import."""\n\nimport dudao.projects.models\n')
        result = subprocess.run(  # noqa: S603 - our own tool, fixed arguments
            [str(LINT_IMPORTS), "--contract", "core-imports-no-app", "--no-cache"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        probe.unlink(missing_ok=True)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "core imports no app BROKEN" in output
    assert f"{probe.stem} -> dudao.projects.models" in output
    assert not probe.exists()
