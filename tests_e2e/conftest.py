"""Real-browser tests: Debian's Chromium driven by Playwright against pytest-django's live_server.

No browser is downloaded: Playwright launches the system `chromium` (apt package `chromium`,
with `fonts-noto-cjk` for the Chinese text). When it is missing every e2e test is skipped,
loudly: a pytest warning and a line in the terminal summary. `.ci/run` installs it, so CI
never skips.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests_e2e.browser import ConsoleLog
from tests_e2e.worlds import cached

# Playwright's sync API keeps an asyncio loop running in the test thread, so Django would
# refuse the test's own ORM calls (SynchronousOnlyOperation). The server runs in its own
# thread and is not affected.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SKIP_NOTICE = (
    "!!! 浏览器测试已跳过：未找到 Chromium（PATH 中没有 chromium）。"
    "请安装：apt-get install -y --no-install-recommends chromium fonts-noto-cjk"
)
ARTIFACTS = Path(
    os.environ.get("DUDAO_TEST_ARTIFACTS")
    or Path(__file__).resolve().parent.parent / "test-artifacts"
)
TIMEOUT_MS = 10_000


class ChromiumMissingWarning(pytest.PytestWarning):
    """Chromium is not installed, so the real-browser tests did not run."""


_skipped_for_missing_chromium: list[str] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip every e2e test when no Chromium can be found (and say so loudly)."""
    if CHROMIUM is not None:
        return
    skip = pytest.mark.skip(reason=SKIP_NOTICE)
    for item in items:
        if item.get_closest_marker("e2e") is not None:
            item.add_marker(skip)
            _skipped_for_missing_chromium.append(item.nodeid)
    if _skipped_for_missing_chromium:
        config.issue_config_time_warning(ChromiumMissingWarning(SKIP_NOTICE), stacklevel=2)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Repeat the skip notice as the last thing before pytest's own summary line.

    Under pytest-xdist the items are collected in the workers, so the controller, which writes
    this summary, decides from the same Chromium lookup rather than from its own collection.
    """
    if CHROMIUM is None:
        count = len(_skipped_for_missing_chromium)
        skipped = f"{count} 个" if count else "全部"
        terminalreporter.write_sep("!", "浏览器测试未运行", red=True, bold=True)
        terminalreporter.write_line(
            f"{SKIP_NOTICE}（{skipped} e2e 测试被跳过）",
            red=True,
            bold=True,
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium instead of a Playwright-downloaded browser."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A desktop-sized, Chinese-locale browser in the city's time zone."""
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "viewport": {"width": 1366, "height": 820},
    }


@pytest.fixture
def console(context: BrowserContext) -> ConsoleLog:
    """Console errors and CSP violations of every page of the test's browser context."""
    log = ConsoleLog()
    log.watch(context)
    return log


@pytest.fixture
def page(context: BrowserContext, console: ConsoleLog) -> Iterator[Page]:
    """A page whose console is watched. Tests call `console.assert_clean()` at their end; a test
    that forgets is checked here."""
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    yield page
    if not console.checked:
        console.assert_clean()


@pytest.fixture(autouse=True)
def _migrated_reference_data(request: pytest.FixtureRequest) -> None:
    """Give every browser test the rows the data migrations wrote (regions, categories, light
    rules …): a transactional test before it flushes them, and the test's own set-up (the demo
    city) reads them. The migrations seed idempotently; the flush is recognised by the regions
    being gone."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("transactional_db")
    from dudao.regions.models import Region

    if not Region.objects.exists():
        cached("reference", _run_data_migrations)


def _run_data_migrations() -> None:
    from django.db import DatabaseError, connection, transaction
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython

    loader = MigrationLoader(connection)
    plan: list[tuple[str, str]] = []
    for leaf in loader.graph.leaf_nodes():
        plan.extend(key for key in loader.graph.forwards_plan(leaf) if key not in plan)
    for key in plan:
        operations = loader.graph.nodes[key].operations
        if not any(isinstance(op, RunPython) for op in operations):
            continue
        state = loader.project_state(key, at_end=False)
        for operation in operations:
            if not isinstance(operation, RunPython):
                # a data step after a model's creation in the same migration sees that model
                operation.state_forwards(key[0], state)
                continue
            try:
                with transaction.atomic():
                    # No schema editor: schema changes (the audit triggers) survive a flush and
                    # need none; their functions fail here and are skipped.
                    operation.code(state.apps, None)  # type: ignore[arg-type]
            except (AttributeError, DatabaseError):
                continue


@pytest.fixture
def artifacts() -> Path:
    """The folder for screenshots (gitignored /test-artifacts/)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
