"""The offline install bundle, installed with no network: `tools/bundle.py` builds this machine's
slice (CPython of this interpreter on this architecture; in CI cp311-x86_64) — the downloads
are cached per lock hash in ~/.cache/dudao-bundle, so only the first run on a machine fetches
wheels — then, in a network namespace that has only loopback (`unshare -rn`, else `unshare -n`),
the bundle's install.sh makes a fresh venv from the base interpreter and installs from the
bundle's wheels alone (pip --no-index, no pip configuration), migrates, runs
`dudao check-deploy` with production settings, and a server started inside the namespace is
smoke-tested over HTTP (tests_system/offline_install.py). SQLite: no PostgreSQL or Redis is
reachable inside the namespace, so the suite's PostgreSQL run skips this file.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.system

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent


def _namespace() -> list[str] | None:
    """The command prefix that gives a process a network namespace of its own, if any works."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return None
    for prefix in (["unshare", "-rn"], ["unshare", "-n"]):
        done = subprocess.run([*prefix, "ip", "link", "set", "lo", "up"], check=False)
        if done.returncode == 0:
            return prefix
    return None


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if platform.system() != "Linux" or platform.machine() not in {"x86_64", "aarch64"}:
        pytest.skip("离线安装包只有 Linux x86_64 与 aarch64 版本")
    if os.environ.get("DUDAO_DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        # Inside the namespace there is no PostgreSQL: the install runs on SQLite either way,
        # so the SQLite run of the suite covers it and the PostgreSQL run does not repeat it.
        pytest.skip("离线安装测试只在 SQLite 运行中执行（网络命名空间内没有 PostgreSQL）")
    namespace = _namespace()
    if namespace is None:
        pytest.skip("无法建立无网络的网络命名空间（unshare -rn 与 unshare -n 都不可用）")
    work = tmp_path_factory.mktemp("offline")
    target = f"cp{sys.version_info[0]}{sys.version_info[1]}-{platform.machine()}"
    started = time.monotonic()
    built = subprocess.run(
        [sys.executable, str(REPO / "tools/bundle.py"), "--targets", target, "--out", str(work)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    build_seconds = time.monotonic() - started
    (tarball,) = work.glob("dudao-offline-*.tar.gz")
    with tarfile.open(tarball) as archive:
        archive.extractall(work / "unpacked", filter="data")
    (bundle,) = (work / "unpacked").iterdir()
    data = work / "data"
    env_path = work / "dudao.env"
    env_path.write_text(
        "\n".join(
            [
                f"DUDAO_DATA_DIR={data}",
                f"DUDAO_SECRET_KEY={secrets.token_urlsafe(48)}",
                f"DUDAO_AUDIT_KEY={secrets.token_urlsafe(36)}",
                "DUDAO_DEBUG=false",
                "DUDAO_ALLOWED_HOSTS=dudao.example.gov.cn,127.0.0.1",
                "DUDAO_CSRF_TRUSTED_ORIGINS=https://dudao.example.gov.cn",
                "DUDAO_SECURE_COOKIES=true",
                "DUDAO_SSL_REDIRECT=true",
                "DUDAO_HSTS_SECONDS=31536000",
                "DUDAO_BEHIND_PROXY=true",
                "DUDAO_PORT=8000",
                "DUDAO_WORKERS=2",
                "DUDAO_LOG_LEVEL=WARNING",
                "",
            ]
        ),
        encoding="utf-8",
    )
    base_python = os.path.realpath(sys.executable)  # the venv's python links to its base
    # The outer environment minus the database settings of the test run (SQLite inside); its
    # PIP_* variables stay, and install.sh must ignore them.
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE (same pytest process) is no server's setting:
    # check-deploy rightly refuses it (async.E001).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DUDAO_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    ran = subprocess.run(
        [
            *namespace,
            base_python,
            str(HERE / "offline_install.py"),
            str(bundle),
            str(work / "prefix"),
            str(env_path),
            base_python,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,  # a loaded 2-core machine took 403 s for the install alone
        check=False,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    result: dict[str, Any] = json.loads(ran.stdout)
    result["tarball_bytes"] = tarball.stat().st_size
    result["manifest"] = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    print(  # the figures for docs/operations.md
        f"\noffline bundle {target}: {tarball.stat().st_size / 1e6:.1f} MB, "
        f"built in {build_seconds:.0f} s, offline install {result['install_seconds']} s"
    )
    return result


def test_the_install_ran_with_only_loopback(installed: dict[str, Any]) -> None:
    assert installed["network"]["interfaces"] == ["lo"], installed["network"]
    assert "default" not in installed["network"]["routes"]
    assert installed["install_status"] == 0, installed["install_output"]
    assert "部署检查通过" in installed["install_output"]


def test_the_bundle_is_complete_and_described(installed: dict[str, Any]) -> None:
    manifest = installed["manifest"]
    lock = (REPO / "requirements.lock").read_text(encoding="utf-8")
    assert len(manifest["lock_sha256"]) == 64
    (target,) = manifest["targets"].values()
    assert target["glibc_min"] <= "2.28"  # Kylin V10, UOS 20
    names = {w.split("-")[0].lower() for w in target["wheels"]}
    for line in lock.splitlines():
        if line and line[0].isalnum():
            assert line.split("==")[0].replace("-", "_").lower() in names, line
    assert "dudao" in names
    for path in ("install.sh", "deploy/fontconfig/65-dudao-gongwen.conf", "docs/operations.md"):
        assert path in manifest["files"], path


def test_check_deploy_passes_with_production_settings(installed: dict[str, Any]) -> None:
    check = installed["check_deploy"]
    assert "部署检查通过" in check, installed["install_output"]
    assert "[错误]" not in check
    assert "ops.E" not in check
    assert installed["createadmin"] == 0
    assert installed["font_aliases"]["found"], installed["font_aliases"]


def test_the_installed_server_answers_over_http(installed: dict[str, Any]) -> None:
    smoke = installed.get("smoke")
    assert smoke, installed.get("server_log") or installed.get("token_error")
    assert smoke["healthz"] == 200
    assert smoke["readyz"]["database"]
    assert smoke["readyz"]["migrations"]
    assert smoke["login"] == {
        "status": 200,
        "has_title": True,
        "csrf_secure": True,
        "hsts": True,
        "csp": True,
    }
    assert smoke["assets"], "the login page links no static file"
    assert any("/vendor/htmx" in path for path in smoke["assets"]), smoke["assets"]
    assert set(smoke["assets"].values()) == {200}, smoke["assets"]
    assert smoke["me"] == {"status": 200, "username": "admin"}
    assert smoke["bad_token"] == 401
    assert smoke["not_found"] == {"status": 404, "traceback": False}
