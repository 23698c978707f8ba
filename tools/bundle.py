"""`make bundle`: the offline install bundle (docs/operations.md, 离线安装).

dist/dudao-offline-<version>.tar.gz holds every wheel of requirements.lock plus the dudao wheel
for CPython 3.11 and 3.12 on manylinux x86_64 and aarch64, checked complete for each of the four
targets against the bundle's own wheels, with deploy/ (systemd units, nginx, environment file,
font aliases, Compose), the docs, install.sh and a manifest (versions, lock hash, SHA-256 of every
file, the oldest glibc each target needs).

Downloads are cached per lock hash in ~/.cache/dudao-bundle (DUDAO_BUNDLE_CACHE), so a rerun
with the same lock downloads nothing. `--targets cp311-x86_64` builds one slice (the offline
install test does), named dudao-offline-<version>-cp311-x86_64.tar.gz.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "requirements.lock"
ALL_TARGETS = ("cp311-x86_64", "cp312-x86_64", "cp311-aarch64", "cp312-aarch64")
# manylinux2014 (glibc 2.17, CentOS 7) up to manylinux_2_28 (glibc 2.28: Kylin V10, UOS 20,
# openEuler 20.03, Debian 10): a wheel needing a newer glibc than 2.28 is not accepted.
GLIBC_MINORS = range(17, 29)
LEGACY_GLIBC = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


@dataclass(frozen=True)
class Target:
    python: str  # "311"
    arch: str  # "x86_64" | "aarch64"

    @classmethod
    def parse(cls, text: str) -> Target:
        match = re.fullmatch(r"cp(3\d\d?)-(x86_64|aarch64)", text)
        if match is None:
            raise SystemExit(f"unknown target {text!r}: expected e.g. cp311-x86_64")
        return cls(match[1], match[2])

    @property
    def name(self) -> str:
        return f"cp{self.python}-{self.arch}"

    @property
    def version(self) -> str:
        return f"{self.python[0]}.{self.python[1:]}"

    def platform_args(self) -> list[str]:
        tags = [f"manylinux2014_{self.arch}"]
        tags += [f"manylinux_2_{minor}_{self.arch}" for minor in GLIBC_MINORS]
        args: list[str] = []
        for tag in tags:
            args += ["--platform", tag]
        return [
            *args,
            "--python-version",
            self.version,
            "--implementation",
            "cp",
            "--abi",
            f"cp{self.python}",
            "--abi",
            "abi3",
            "--abi",
            "none",
            "--only-binary=:all:",
        ]


def run(args: list[str], *, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own pip and uv with fixed arguments
        args, capture_output=True, text=True, env=env, check=False
    )


def isolated_env() -> dict[str, str]:
    """No pip configuration file, no PIP_* variables: only the bundle's wheels count."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def locked_requirements() -> list[str]:
    lines = LOCK.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if re.match(r"^[A-Za-z0-9]", line)]


def project_version() -> str:
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return str(data["project"]["version"])


def pip(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args], env=env)


def build_pure_wheel(requirement: str, into: Path) -> Path:
    """A locked package published only as an sdist: build its wheel here; it must be pure."""
    with tempfile.TemporaryDirectory() as scratch:
        done = pip("wheel", "--no-deps", "--no-binary=:all:", "-w", scratch, requirement)
        if done.returncode != 0:
            raise SystemExit(f"cannot build a wheel of {requirement}:\n{done.stderr[-2000:]}")
        (built,) = Path(scratch).glob("*.whl")
        if not built.name.endswith("-none-any.whl"):
            raise SystemExit(f"{requirement} has no wheel for the target and is not pure Python")
        return Path(shutil.copy2(built, into / built.name))


def download(target: Target, cache: Path) -> Path:
    """The target's wheels of the lock, from the cache when it is complete."""
    folder = cache / target.name
    marker = folder / ".complete"
    if marker.is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    requirements = locked_requirements()
    common = ["download", "--no-deps", "-q", "-d", str(folder), *target.platform_args()]
    if pip(*common, *requirements).returncode != 0:
        # One at a time, to find the packages that have no wheel for this target.
        for requirement in requirements:
            if pip(*common, requirement).returncode != 0:
                pure = cache / "pure"
                pure.mkdir(exist_ok=True)
                wheel = next(iter(pure.glob(wheel_prefix(requirement) + "-*.whl")), None)
                wheel = wheel or build_pure_wheel(requirement, pure)
                shutil.copy2(wheel, folder / wheel.name)
    marker.write_text(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), encoding="utf-8")
    return folder


def wheel_prefix(requirement: str) -> str:
    name, _, version = requirement.partition("==")
    return f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}"


def source_copy(into: Path) -> Path:
    """The checkout's files (tracked and new, not ignored) copied to `into`: setuptools then
    builds in a clean tree (no stale build/lib from an earlier build, nothing written here)."""
    listed = run(["git", "-C", str(REPO), "ls-files", "-co", "--exclude-standard"]).stdout
    for name in listed.splitlines():
        source = REPO / name
        if source.is_file():  # a tracked file deleted in the working tree is left out
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    return into


def build_dudao_wheel(into: Path) -> Path:
    """The project's own wheel, built from a copy of this checkout (uv when the venv has it)."""
    uv = Path(sys.executable).with_name("uv")
    with tempfile.TemporaryDirectory() as scratch, tempfile.TemporaryDirectory() as tree:
        source = str(source_copy(Path(tree)))
        if uv.is_file():
            done = run([str(uv), "build", "-q", "--wheel", "--out-dir", scratch, source])
        else:
            done = pip("wheel", "--no-deps", "-q", "-w", scratch, source)
        if done.returncode != 0:
            raise SystemExit(f"building the dudao wheel failed:\n{done.stderr[-3000:]}")
        (built,) = Path(scratch).glob("dudao-*.whl")
        check_static_in_wheel(built)
        return Path(shutil.copy2(built, into / built.name))


def check_static_in_wheel(wheel: Path) -> None:
    """Every tracked file of the package (templates, data, the vendored htmx and ECharts …)
    must be in the wheel: an installed copy has nothing else."""
    listed = run(["git", "-C", str(REPO), "ls-files", "dudao"]).stdout.splitlines()
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = [p for p in listed if p not in names]
    if missing:
        raise SystemExit(f"files missing from the dudao wheel: {', '.join(missing[:20])}")


def check_complete(target: Target, wheels: Path, dudao_wheel: Path) -> None:
    """Resolve the lock and the dudao wheel against the bundle's wheels alone, for the target."""
    with tempfile.TemporaryDirectory() as scratch:
        done = pip(
            "--isolated",
            "install",
            "--dry-run",
            "--no-index",
            "--find-links",
            str(wheels),
            "--target",
            scratch,
            "--ignore-installed",
            *target.platform_args(),
            "-r",
            str(LOCK),
            str(wheels / dudao_wheel.name),
            env=isolated_env(),
        )
    if done.returncode != 0:
        missing = sorted(
            set(re.findall(r"satisfies the requirement ([A-Za-z0-9_.\-\[\]]+)", done.stderr))
        )
        what = ", ".join(missing) or done.stderr[-2000:]
        raise SystemExit(f"bundle incomplete for {target.name}: missing {what}")


def glibc_needed(wheel_name: str) -> tuple[int, int] | None:
    """The oldest glibc a wheel runs on (None: pure Python), from its platform tags."""
    platforms = wheel_name[: -len(".whl")].rsplit("-", maxsplit=1)[-1].split(".")
    needed: list[tuple[int, int]] = []
    for tag in platforms:
        match = re.match(r"manylinux_(\d+)_(\d+)_", tag)
        if match:
            needed.append((int(match[1]), int(match[2])))
        elif tag.split("_")[0] in LEGACY_GLIBC:
            needed.append(LEGACY_GLIBC[tag.split("_")[0]])
    return min(needed) if needed else None


def target_wheels(target: Target, folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.whl"))


def stage(targets: list[Target], cache: Path, staging: Path) -> dict[str, Any]:
    version = project_version()
    wheels = staging / "wheels"
    wheels.mkdir(parents=True)
    dudao_wheel = build_dudao_wheel(wheels)
    per_target: dict[str, dict[str, Any]] = {}
    for target in targets:
        folder = download(target, cache)
        names = target_wheels(target, folder)
        for name in names:
            if not (wheels / name).exists():
                shutil.copy2(folder / name, wheels / name)
        check_complete(target, wheels, dudao_wheel)
        needs = [g for g in (glibc_needed(n) for n in names) if g]
        oldest = max(needs) if needs else None
        per_target[target.name] = {
            "python": target.version,
            "arch": target.arch,
            "glibc_min": f"{oldest[0]}.{oldest[1]}" if oldest else None,
            "wheels": [*names, dudao_wheel.name],
            "wheels_bytes": sum((wheels / n).stat().st_size for n in [*names, dudao_wheel.name]),
        }
    shutil.copytree(REPO / "deploy", staging / "deploy")
    shutil.copy2(REPO / "deploy" / "install.sh", staging / "install.sh")
    (staging / "install.sh").chmod(0o755)
    shutil.copytree(REPO / "docs", staging / "docs")
    for name in ("README.md", "LICENSE", "requirements.lock"):
        shutil.copy2(REPO / name, staging / name)
    commit = run(["git", "-C", str(REPO), "rev-parse", "HEAD"]).stdout.strip()
    files = {
        str(p.relative_to(staging)): sha256_of(p) for p in sorted(staging.rglob("*")) if p.is_file()
    }
    manifest: dict[str, Any] = {
        "name": "dudao",
        "version": version,
        "commit": commit,
        "lock_sha256": sha256_of(LOCK),
        "dudao_wheel": dudao_wheel.name,
        "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "targets": per_target,
        "files": files,
    }
    (staging / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest


def archive(staging: Path, out: Path) -> None:
    """A tar.gz with one top folder, files in name order, owned by root."""

    def normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        return info

    partial = out.with_name(out.name + ".partial")
    with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
        for path in sorted(staging.rglob("*")):
            arcname = f"{staging.name}/{path.relative_to(staging)}"
            tar.add(path, arcname=arcname, recursive=False, filter=normalise)
    partial.replace(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", default=",".join(ALL_TARGETS), help="e.g. cp311-x86_64")
    parser.add_argument("--out", type=Path, default=REPO / "dist")
    options = parser.parse_args(argv)
    targets = [Target.parse(t) for t in options.targets.split(",") if t]
    lock_hash = sha256_of(LOCK)
    default_cache = Path.home() / ".cache" / "dudao-bundle"
    cache = Path(os.environ.get("DUDAO_BUNDLE_CACHE", default_cache)) / lock_hash[:16]
    version = project_version()
    suffix = (
        ""
        if {t.name for t in targets} == set(ALL_TARGETS)
        else "-" + "+".join(t.name for t in targets)
    )
    name = f"dudao-offline-{version}{suffix}"
    options.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(dir=options.out) as scratch:
        staging = Path(scratch) / name
        manifest = stage(targets, cache, staging)
        tarball = options.out / f"{name}.tar.gz"
        archive(staging, tarball)
    seconds = time.monotonic() - started
    size = tarball.stat().st_size
    print(f"{tarball} ({size / 1e6:.1f} MB, {seconds:.0f} s)")
    targets_info = manifest["targets"]
    for target_name, info in targets_info.items():
        print(
            f"  {target_name}: {len(info['wheels'])} wheels, "
            f"{info['wheels_bytes'] / 1e6:.1f} MB, glibc >= {info['glibc_min']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
