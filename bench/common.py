"""Paths and the environment every benchmark subprocess starts from."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the .venv running the benchmarks
DUDAO = str(BIN / "dudao")


def base_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """os.environ without any DUDAO_* setting of the caller, plus DUDAO_DATA_DIR and extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUDAO_")}
    env["DUDAO_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env
