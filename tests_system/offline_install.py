"""Run inside a network namespace with nothing but loopback (test_offline_bundle.py starts it
with `unshare -rn`): install the unpacked offline bundle with its install.sh, create the first
administrator and an API token, start `dudao serve` on loopback and smoke-test it over HTTP.
Standard library only (it runs on the base interpreter); prints one JSON object.

    python offline_install.py BUNDLE_DIR PREFIX ENV_FILE PYTHON
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

PROXY = {"X-Forwarded-Proto": "https"}  # as deploy/nginx.conf says it
SETUP_SCRIPT = """
import django, json
django.setup()
from dudao.accounts.models import User
from dudao.accounts.services import create_api_token
from dudao.bulletins import pdf
user = User.objects.get(username="admin")
print(json.dumps({"token": create_api_token(actor=user, name="smoke")[1],
                  "aliases": str(pdf.FONT_ALIASES), "aliases_found": pdf.FONT_ALIASES.is_file()}))
"""


def env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def get(base: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any, str]:
    request = urllib.request.Request(base + path, headers={**PROXY, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode(errors="replace")


def network() -> dict[str, Any]:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)  # noqa: S607
    links = subprocess.run(
        ["ip", "-o", "link", "show"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names = [line.split(":")[1].strip().split("@")[0] for line in links.splitlines() if line]
    routes = subprocess.run(
        ["ip", "route", "show"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {"interfaces": names, "routes": routes.strip()}


def smoke(base: str, token: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    status, _, body = get(base, "/healthz")
    found["healthz"] = status
    status, _, body = get(base, "/readyz")
    found["readyz"] = {c["key"]: c["ok"] for c in json.loads(body)["checks"]}
    status, headers, body = get(base, "/login/")
    cookies = headers.get_all("Set-Cookie") or []
    found["login"] = {
        "status": status,
        "has_title": "登录" in body,
        "csrf_secure": any(c.startswith("csrftoken=") and "Secure" in c for c in cookies),
        "hsts": "max-age=" in (headers.get("Strict-Transport-Security") or ""),
        "csp": "default-src 'self'" in (headers.get("Content-Security-Policy") or ""),
    }
    # Every static file the page links to (the vendored htmx among them), as collected.
    assets = sorted(set(re.findall(r'(?:src|href)="(/static/[^"]+)"', body)))
    found["assets"] = {path: get(base, path)[0] for path in assets}
    status, _, body = get(base, "/api/v1/me", {"Authorization": f"Bearer {token}"})
    found["me"] = {"status": status, "username": json.loads(body).get("username")}
    found["bad_token"] = get(base, "/api/v1/me", {"Authorization": "Bearer wrong"})[0]
    status, _, body = get(base, "/no-such-page/")
    found["not_found"] = {"status": status, "traceback": "Traceback" in body}
    return found


def main() -> dict[str, Any]:
    bundle, prefix, env_path, python = (Path(a) for a in sys.argv[1:5])
    result: dict[str, Any] = {"network": network()}
    env = {**os.environ, **env_file(env_path)}
    started = time.monotonic()
    install = subprocess.run(
        [
            "/bin/bash",
            str(bundle / "install.sh"),
            "--prefix",
            str(prefix),
            "--env",
            str(env_path),
            "--python",
            str(python),
            "--current-user",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    result["install_seconds"] = round(time.monotonic() - started, 1)
    result["install_status"] = install.returncode
    result["install_output"] = (install.stdout + install.stderr)[-4000:]
    # install.sh's last step: `dudao check-deploy` with the environment file's settings.
    result["check_deploy"] = install.stdout.partition("5/5")[2]
    if install.returncode != 0:
        return result
    dudao = str(prefix / ".venv" / "bin" / "dudao")
    password = "Sm0ke-Test-Passw0rd-" + os.urandom(6).hex()
    admin = subprocess.run(
        [dudao, "createadmin", "admin", "--root-name", "某某市人民政府", "--password-env", "PW"],
        env={**env, "PW": password},
        check=False,
        capture_output=True,
        text=True,
    )
    result["createadmin"] = admin.returncode
    made = subprocess.run(
        [str(prefix / ".venv" / "bin" / "python"), "-c", SETUP_SCRIPT],
        env={**env, "DJANGO_SETTINGS_MODULE": "dudao.settings"},
        check=False,
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        result["token_error"] = made.stderr[-2000:]
        return result
    setup = json.loads(made.stdout)
    result["font_aliases"] = {"path": setup["aliases"], "found": setup["aliases_found"]}
    base = f"http://127.0.0.1:{env['DUDAO_PORT']}"
    log = Path(env["DUDAO_DATA_DIR"]) / "server.log"
    with log.open("wb") as sink:
        server = subprocess.Popen([dudao, "serve"], env=env, stdout=sink, stderr=sink)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(base, "/healthz")
                break
            except OSError:  # not listening yet
                if time.monotonic() > deadline or server.poll() is not None:
                    result["server_log"] = log.read_text(errors="replace")[-3000:]
                    return result
                time.sleep(0.2)
        result["smoke"] = smoke(base, setup["token"])
    finally:
        server.terminate()
        server.wait(timeout=30)
    return result


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False))
