#!/usr/bin/env bash
# Dudao offline install (no network): run from the unpacked dudao-offline-<version> folder.
# Creates <prefix>/.venv, installs the bundle's wheels only (pip --no-index), copies deploy/ and
# docs/ to <prefix>, then, with the environment file, runs migrate, collectstatic and
# check-deploy. docs/operations.md (离线安装) is the step-by-step guide.
set -euo pipefail

usage() {
    cat <<'EOF'
用法：sudo ./install.sh [选项]
  --prefix 目录      安装目录（默认 /opt/dudao；程序在 目录/.venv）
  --env 文件         环境文件（默认 /etc/dudao/dudao.env；不存在时按示例生成并停止，请编辑后重新运行）
  --python 程序      Python 3.11 或 3.12（默认依次找 python3.12、python3.11、python3）
  --user 用户        运行服务的系统用户（默认 dudao，root 运行时不存在则创建）
  --current-user     以当前用户执行迁移和检查，不创建系统用户
  --no-setup         只安装程序，不执行迁移和部署检查
EOF
}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PREFIX=/opt/dudao
ENV_FILE=/etc/dudao/dudao.env
PYTHON=""
RUN_USER=dudao
CURRENT_USER=0
SETUP=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --prefix) PREFIX="$2"; shift 2 ;;
        --env) ENV_FILE="$2"; shift 2 ;;
        --python) PYTHON="$2"; shift 2 ;;
        --user) RUN_USER="$2"; shift 2 ;;
        --current-user) CURRENT_USER=1; shift ;;
        --no-setup) SETUP=0; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "未知选项：$1" >&2; usage >&2; exit 2 ;;
    esac
done

fail() {
    echo "安装失败：$*" >&2
    exit 1
}
step() {
    printf '\n== %s\n' "$*"
}

# --- 1. Python and the machine ------------------------------------------------------------
step "1/5 检查 Python 与服务器架构"
if [[ -z "$PYTHON" ]]; then
    for candidate in python3.12 python3.11 python3; do
        # Run it: a name on PATH may be a wrapper that fails, or an older Python.
        if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] not in ((3, 11), (3, 12)))' \
            >/dev/null 2>&1; then
            PYTHON=$("$candidate" -c 'import sys; print(sys.executable)')
            break
        fi
    done
fi
[[ -n "$PYTHON" ]] || fail "未找到 Python 3.11 或 3.12，请先安装（见 docs/operations.md 离线安装）"
read -r PYVER ARCH GLIBC < <("$PYTHON" -c '
import platform, sys
print(f"{sys.version_info[0]}{sys.version_info[1]}", platform.machine(), platform.libc_ver()[1] or "0")
')
TARGET="cp${PYVER}-${ARCH}"
NEED_GLIBC=$("$PYTHON" -c '
import json, sys
targets = json.load(open(sys.argv[1], encoding="utf-8"))["targets"]
print(targets.get(sys.argv[2], {}).get("glibc_min") or ("none" if sys.argv[2] in targets else ""))
' "$HERE/manifest.json" "$TARGET")
[[ -n "$NEED_GLIBC" ]] || fail "本安装包没有 $TARGET（Python ${PYVER:0:1}.${PYVER:1}，$ARCH）的程序包；\
请用 Python 3.11 或 3.12，架构 x86_64 或 aarch64（鲲鹏、飞腾）"
if [[ "$NEED_GLIBC" != none ]]; then
    "$PYTHON" -c '
import sys
have, need = (tuple(int(x) for x in v.split(".")[:2]) for v in sys.argv[1:3])
sys.exit(0 if have >= need else 1)
' "$GLIBC" "$NEED_GLIBC" || fail "系统 glibc $GLIBC 太旧，本安装包需要 glibc $NEED_GLIBC 或更新"
fi
echo "Python：$PYTHON（$TARGET），glibc $GLIBC（需要 ${NEED_GLIBC}）"

# --- 2. Virtual environment and wheels (no network) ---------------------------------------
step "2/5 安装程序到 $PREFIX/.venv（不联网）"
mkdir -p "$PREFIX"
if [[ ! -x "$PREFIX/.venv/bin/python" ]]; then
    "$PYTHON" -m venv "$PREFIX/.venv" ||
        fail "无法创建虚拟环境：请安装 Python 的 venv 模块（如 python3-venv 软件包）"
fi
VENV_PY="$PREFIX/.venv/bin/python"
DUDAO_WHEEL=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["dudao_wheel"])' \
    "$HERE/manifest.json")
# Only the bundle's wheels: no index, no pip configuration file, no PIP_* variables.
offline_pip() {
    PIP_CONFIG_FILE=/dev/null "$VENV_PY" -m pip --isolated --disable-pip-version-check \
        install --no-index --find-links "$HERE/wheels" --only-binary=:all: "$@"
}
offline_pip -q -r "$HERE/requirements.lock" "$HERE/wheels/$DUDAO_WHEEL"
# The same version number rebuilt (a fix release of the bundle): replace the program itself.
offline_pip -q --no-deps --force-reinstall "$HERE/wheels/$DUDAO_WHEEL"
rm -rf "$PREFIX/deploy" "$PREFIX/docs"
cp -r "$HERE/deploy" "$HERE/docs" "$PREFIX/"
cp "$HERE/manifest.json" "$PREFIX/bundle-manifest.json"
echo "已安装：$("$VENV_PY" -c 'import importlib.metadata as m; print("dudao", m.version("dudao"))')"

if [[ $SETUP -eq 0 ]]; then
    echo "已跳过迁移和部署检查（--no-setup）"
    exit 0
fi

# --- 3. Environment file ------------------------------------------------------------------
step "3/5 环境文件 $ENV_FILE"
if [[ ! -f "$ENV_FILE" ]]; then
    mkdir -p "$(dirname "$ENV_FILE")"
    secret=$("$VENV_PY" -c 'import secrets; print(secrets.token_urlsafe(48))')
    audit=$("$VENV_PY" -c 'import secrets; print(secrets.token_urlsafe(36))')
    sed -e "s|^DUDAO_SECRET_KEY=.*|DUDAO_SECRET_KEY=$secret|" \
        -e "s|^DUDAO_AUDIT_KEY=.*|DUDAO_AUDIT_KEY=$audit|" \
        "$HERE/deploy/dudao.env.example" >"$ENV_FILE"
    chmod 0640 "$ENV_FILE"
    echo "已生成 $ENV_FILE（密钥已随机生成）。请修改其中的数据库地址和口令（DUDAO_DATABASE_URL、"
    echo "DUDAO_MIGRATE_DATABASE_URL）、域名（DUDAO_ALLOWED_HOSTS、DUDAO_CSRF_TRUSTED_ORIGINS），"
    echo "然后重新运行本脚本。"
    exit 3
fi
set -a
# shellcheck disable=SC1090 # the operator's environment file
. "$ENV_FILE"
set +a
DATA_DIR="${DUDAO_DATA_DIR:-/var/lib/dudao}"
export DUDAO_DATA_DIR="$DATA_DIR"

as_service_user() {
    if [[ $CURRENT_USER -eq 1 ]]; then
        "$@"
    else
        runuser -u "$RUN_USER" -- env DUDAO_DATA_DIR="$DATA_DIR" "$@"
    fi
}
if [[ $CURRENT_USER -eq 0 ]]; then
    [[ $(id -u) -eq 0 ]] || fail "请以 root 运行（或加 --current-user）"
    if ! id "$RUN_USER" >/dev/null 2>&1; then
        useradd --system --home-dir "$DATA_DIR" --shell /usr/sbin/nologin "$RUN_USER"
        echo "已创建系统用户 $RUN_USER"
    fi
    mkdir -p "$DATA_DIR"
    chown "$RUN_USER:$RUN_USER" "$DATA_DIR"
    chmod 0750 "$DATA_DIR"
    chgrp "$RUN_USER" "$ENV_FILE"
else
    mkdir -p "$DATA_DIR"
fi

# --- 4. Database ----------------------------------------------------------------------------
step "4/5 数据库迁移与静态文件"
DUDAO="$PREFIX/.venv/bin/dudao"
as_service_user "$DUDAO" migrate --noinput
if [[ -n "${DUDAO_MIGRATE_DATABASE_URL:-}" ]]; then
    # Owner and app roles (deploy/postgresql-roles.md): the grants after every migrate, to the
    # roles named in the two URLs.
    role_of() {
        "$VENV_PY" -c 'import sys, urllib.parse; print(urllib.parse.urlsplit(sys.argv[1]).username or "")' "$1"
    }
    as_service_user "$DUDAO" pg_roles --apply --owner "$(role_of "$DUDAO_MIGRATE_DATABASE_URL")" \
        --app "$(role_of "${DUDAO_DATABASE_URL:-}")"
fi
as_service_user "$DUDAO" collectstatic --noinput -v0
echo "迁移已执行，静态文件已收集到 $DATA_DIR/static"

# --- 5. Deployment check --------------------------------------------------------------------
step "5/5 部署检查（dudao check-deploy）"
if as_service_user "$DUDAO" check-deploy; then
    echo
    echo "安装完成。下一步：复制 $PREFIX/deploy/dudao-web.service 和 dudao-worker.service 到"
    echo "/etc/systemd/system/，执行 systemctl daemon-reload && systemctl enable --now dudao-web dudao-worker，"
    echo "再按 docs/operations.md 配置 nginx，浏览器打开 https://域名/readyz 应返回 200。"
else
    fail "部署检查有错误：按上面的提示修改 $ENV_FILE 后重新运行本脚本（已安装的程序会保留）"
fi
