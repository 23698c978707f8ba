from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dudao.accounts.models import User
from dudao.accounts.services import check_password_policy
from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError
from dudao.core.roles import Role
from dudao.core.snapshot import snapshot
from dudao.orgs.models import Organisation
from dudao.orgs.services import create_root_organisation

ROLES = {"sysadmin": Role.SYSADMIN, "secadmin": Role.SECADMIN, "auditadmin": Role.AUDITADMIN}


class Command(BaseCommand):
    help = (
        "创建管理员账户（三员之一）。首次安装时若没有任何单位，会同时创建根单位。"
        "这是唯一绕过“系统管理员建号、安全管理员授权”双人流程的入口，只能在服务器上执行，并写入审计日志。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=sorted(ROLES), default="sysadmin")
        parser.add_argument("--full-name", default="")
        parser.add_argument(
            "--organisation", help="所属单位编码；没有单位时用 --root-name 创建根单位"
        )
        parser.add_argument("--root-name", default="", help="根单位名称，如 某某市人民政府")
        parser.add_argument("--root-code", default="ROOT")
        parser.add_argument(
            "--password-env", default="", help="从该环境变量读取密码（自动化部署用）；否则交互输入"
        )

    def handle(self, *args: Any, **o: Any) -> None:
        import os

        username: str = o["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"用户名 {username} 已存在。")
        with transaction.atomic():
            if o["organisation"]:
                org = Organisation.objects.filter(code=o["organisation"]).first()
                if org is None:
                    raise CommandError(f"找不到编码为 {o['organisation']} 的单位。")
            elif Organisation.objects.exists():
                raise CommandError("已存在单位，请用 --organisation 指定所属单位编码。")
            elif not o["root_name"]:
                raise CommandError("系统中还没有任何单位，请用 --root-name 指定根单位名称。")
            else:
                org = create_root_organisation(
                    name=o["root_name"], code=o["root_code"], kind=Organisation.Kind.CITY_GOV
                )
            password = os.environ.get(o["password_env"], "") if o["password_env"] else ""
            if not password:
                password = getpass.getpass("密码：")
                if getpass.getpass("再次输入密码：") != password:
                    raise CommandError("两次输入的密码不一致。")
            user = User(
                username=username,
                full_name=o["full_name"] or username,
                organisation=org,
                roles=int(ROLES[o["role"]]),
            )
            try:
                check_password_policy(password, user)
            except DomainError as exc:
                raise CommandError(exc.message) from None
            user.set_password(password)
            user.save()
            record_event(
                actor=None,
                actor_name="createadmin",
                action="user.create",
                obj=user,
                after=snapshot(user),
                reason="服务器命令 createadmin",
            )
        self.stdout.write(f"已创建{o['role']}账户 {username}（{org.name}）。")
