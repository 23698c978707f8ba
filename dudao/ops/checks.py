"""`dudao check-deploy`: the platform's deployment checks, registered with Django's check
framework as deployment checks, so every module can add its own the same way (the bulletins
module checks its fonts and LibreOffice) and `dudao check --deploy` sees them too.

Messages are for a county IT clerk: Chinese, with what to change. Django's own security checks
run as well; `DJANGO_TEXTS` gives them in Chinese.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

WEAK_MARKERS = ("CHANGE-ME", "changeme", "django-insecure", "secret")

# Django's own deployment checks, said in Chinese (by check id).
DJANGO_TEXTS = {
    "security.W004": "未启用 HSTS：在 HTTPS 下设置 DUDAO_HSTS_SECONDS（例如 31536000）。",
    "security.W008": (
        "未把 HTTP 重定向到 HTTPS：设置 DUDAO_SSL_REDIRECT=true，或由前置 nginx 完成重定向。"
    ),
    "security.W009": "SECRET_KEY 太弱：设置 DUDAO_SECRET_KEY 为至少 50 个随机字符。",
    "security.W012": "会话 Cookie 未标记为仅 HTTPS：设置 DUDAO_SECURE_COOKIES=true。",
    "security.W016": "CSRF Cookie 未标记为仅 HTTPS：设置 DUDAO_SECURE_COOKIES=true。",
    "security.W018": "DEBUG 已打开：生产环境必须设置 DUDAO_DEBUG=false。",
    "security.W020": "ALLOWED_HOSTS 为空：设置 DUDAO_ALLOWED_HOSTS 为本系统的域名。",
}


def check_debug(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.DEBUG:
        return [checks.Error("DEBUG 已打开：生产环境必须设置 DUDAO_DEBUG=false。", id="ops.E001")]
    return []


def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    key = str(settings.SECRET_KEY)
    weak = (
        len(key) < 50 or len(set(key)) < 10 or any(m.lower() in key.lower() for m in WEAK_MARKERS)
    )
    if weak:
        return [
            checks.Error(
                "SECRET_KEY 太弱或仍是示例值：设置 DUDAO_SECRET_KEY 为至少 50 个随机字符"
                "（例如 openssl rand -base64 48 的输出）。",
                id="ops.E002",
            )
        ]
    return []


def check_hosts(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    hosts = list(settings.ALLOWED_HOSTS)
    if not hosts or "*" in hosts:
        return [
            checks.Error(
                "DUDAO_ALLOWED_HOSTS 必须列出本系统的域名（不能为空或 *）。", id="ops.E003"
            )
        ]
    if set(hosts) <= {"127.0.0.1", "localhost", "::1"}:
        return [
            checks.Warning(
                "DUDAO_ALLOWED_HOSTS 只有本机地址：用户通过域名访问时会被拒绝，请加入对外域名。",
                id="ops.W001",
            )
        ]
    return []


def check_https(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    if not settings.SESSION_COOKIE_SECURE:
        found.append(
            checks.Error(
                "Cookie 未限定 HTTPS：生产环境经 HTTPS 访问，请设置 DUDAO_SECURE_COOKIES=true。",
                id="ops.E004",
            )
        )
    if not settings.SECURE_SSL_REDIRECT and settings.SECURE_PROXY_SSL_HEADER is None:
        found.append(
            checks.Warning(
                "既未设置 DUDAO_SSL_REDIRECT，也未声明前置代理（DUDAO_BEHIND_PROXY）：请确认 nginx "
                "已把 HTTP 重定向到 HTTPS（deploy/nginx.conf）。",
                id="ops.W002",
            )
        )
    return found


def check_time_zone(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.TIME_ZONE != "Asia/Shanghai" or not settings.USE_TZ:
        return [checks.Error("时区必须是 Asia/Shanghai 且启用时区（USE_TZ）。", id="ops.E005")]
    return []


def check_directories(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    for label, path in (
        ("数据目录", Path(settings.DATA_DIR)),
        ("备份目录", Path(settings.DUDAO_BACKUP_DIR)),
    ):
        try:
            path.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path):
                pass
        except OSError as exc:
            found.append(checks.Error(f"{label} {path} 不可写：{exc.strerror}", id="ops.E006"))
    return found


def check_database(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    if not databases:  # a database-tagged check: only when a database is asked for
        return []
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return [checks.Error(f"无法连接数据库：{type(exc).__name__}: {exc}", id="ops.E007")]
    found: list[checks.CheckMessage] = []
    if plan:
        found.append(
            checks.Error(
                f"有 {len(plan)} 个数据库迁移未执行：请运行 dudao migrate。", id="ops.E008"
            )
        )
    if connection.vendor == "sqlite":
        found.append(
            checks.Info(
                "使用内置 SQLite 数据库：适合单台服务器；"
                "全省规模或多台服务器请用 PostgreSQL + Redis（docs/operations.md）。",
                id="ops.I001",
            )
        )
    return found


def check_redis(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    if not databases:  # a database-tagged check: only when a database is asked for
        return []
    url = settings.REDIS_URL
    if not url:
        return []
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        return [checks.Error(f"无法连接 Redis（DUDAO_REDIS_URL）：{exc}", id="ops.E009")]
    return []


def check_keys(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    if not databases:  # a database-tagged check: only when a database is asked for
        return []
    if os.environ.get("DUDAO_AUDIT_KEY"):
        return []
    return [
        checks.Info(
            "审计密钥保存在数据目录的 audit_key 文件中：备份会带上它；请另外离线保存一份，"
            "或在环境文件中设置 DUDAO_AUDIT_KEY。",
            id="ops.I002",
        )
    ]


PLATFORM_CHECKS = (
    check_debug,
    check_secret_key,
    check_hosts,
    check_https,
    check_time_zone,
    check_directories,
    check_database,
    check_redis,
    check_keys,
)


# Checks that talk to the services or describe the installation: tagged `database`, so Django
# runs them only when asked for a database (`dudao check-deploy`, `check --deploy --database
# default`), not in a plain `check --deploy` of settings on a machine without the database.
INSTALLATION_CHECKS = (check_database, check_redis, check_keys)


def register_platform_checks() -> None:
    for check in PLATFORM_CHECKS:
        if check in INSTALLATION_CHECKS:
            checks.register(check, checks.Tags.database, deploy=True)
        else:
            checks.register(check, "dudao_deploy", deploy=True)


def run_deploy_checks() -> list[checks.CheckMessage]:
    """Every deployment check (the platform's, the modules', Django's), silenced ones left out."""
    found = checks.run_checks(include_deployment_checks=True, databases=["default"])
    return [m for m in found if not m.is_silenced()]


def text_of(message: checks.CheckMessage) -> str:
    return DJANGO_TEXTS.get(message.id or "", str(message.msg))
