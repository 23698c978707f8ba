"""`dudao bulletin make KIND --period YYYY-MM [--scope ORG_CODE] --out FILE [--as USER]`.

Generates a draft from the data (the same service as the web page, audited) and writes its
.docx; the number reads 机关代字〔YYYY〕  号 until the bulletin is signed (签发) in the browser.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from dudao.accounts.models import User
from dudao.bulletins import services
from dudao.bulletins.render import render_docx
from dudao.core.exceptions import DomainError
from dudao.core.periods import parse_month
from dudao.core.roles import Role
from dudao.orgs.models import Organisation


class Command(BaseCommand):
    help = "生成通报草稿并输出 Word 文本（签发前文号为“〔年份〕  号”）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        make = sub.add_parser("make", help="从数据生成通报草稿")
        make.add_argument("kind", help="通报类型：projects、parks、supervision、inspections")
        make.add_argument("--period", required=True, help="统计月份 YYYY-MM")
        make.add_argument("--scope", default="", help="范围单位编码（市或县政府），缺省为本市")
        make.add_argument("--out", required=True, type=Path, help="输出的 .docx 文件")
        make.add_argument(
            "--as",
            dest="username",
            default="",
            help="以哪个督查员的身份起草（写入审计日志）；缺省为第一个在岗的督查员",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = parse_month(options["period"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        actor = self._actor(options["username"])
        scope = None
        if options["scope"]:
            scope = Organisation.objects.filter(
                Q(code=options["scope"]) | Q(region_id=options["scope"]),
                kind__in=(Organisation.Kind.CITY_GOV, Organisation.Kind.COUNTY_GOV),
            ).first()
            if scope is None:
                raise CommandError(f"没有编码为“{options['scope']}”的市或县（市、区）政府。")
        try:
            bulletin = services.make_draft(
                actor=actor, kind=options["kind"], period=period, scope=scope
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        out: Path = options["out"]
        try:
            out.write_bytes(render_docx(bulletin))
        except OSError as exc:
            raise CommandError(f"无法写入 {out}：{exc.strerror}") from exc
        self.stdout.write(f"已生成草稿“{bulletin.title}”（{bulletin.number_text}），写入 {out}。")

    def _actor(self, username: str) -> User:
        users = User.objects.filter(is_active=True)
        if username:
            actor = users.filter(username__iexact=username).first()
            if actor is None:
                raise CommandError(f"用户“{username}”不存在或已停用。")
            return actor
        for user in users.order_by("pk"):
            if user.has_role(Role.SUPERVISOR):
                return user
        raise CommandError("没有在岗的督查员，请用 --as 指定起草人。")
