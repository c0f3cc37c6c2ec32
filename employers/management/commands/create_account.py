"""python manage.py create_account USERNAME --role ROLE [--jurisdiction CODE] [--employer USCC] [--name NAME]

Bootstrap of a new installation (三员分立): the first auditor and supervisors, who will approve
every later account request, are created from the server's command line — the operator of the
server is the system. The account gets no password: the command prints a one-time activation
code (once) with which its user sets its own on the activation page. Audited as the system.
Exit 2 on a usage error, 1 on a data error.
"""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.services import write_audit
from employers.choices import Role
from employers.models import Employer, Jurisdiction, User
from employers.services import _apply_role_extras, _issue_activation
from employers.uscc import normalize_uscc


class Command(BaseCommand):
    help = "从服务器命令行新建账号（系统初始化用），打印一次性激活码，由本人设置密码"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--jurisdiction", help="辖区代码（监察员、负责人、发布管理员、审计员）")
        parser.add_argument("--employer", help="统一社会信用代码（用人单位账号）")
        parser.add_argument("--name", default="", help="姓名")

    def handle(self, *args, username, role, jurisdiction, employer, name, **options):
        place = None
        if jurisdiction:
            place = Jurisdiction.objects.filter(code=jurisdiction).first()
            if place is None:
                raise CommandError(f"辖区“{jurisdiction}”不存在", returncode=2)
        firm = None
        if employer:
            firm = Employer.objects.filter(uscc=normalize_uscc(employer)).first()
            if firm is None:
                raise CommandError(f"用人单位“{employer}”不存在", returncode=2)
        if User.objects.filter(username__iexact=username).exists():
            self.stderr.write(f"用户名“{username}”已被使用")
            sys.exit(1)
        user = User(
            username=username,
            display_name=name,
            role=role,
            jurisdiction=place,
            employer=firm,
            must_change_password=False,
        )
        user.set_unusable_password()
        try:
            user.clean()
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            sys.exit(1)
        with transaction.atomic():
            user.save()
            _apply_role_extras(user)
            code = _issue_activation(user, None)
            write_audit(
                actor=None,
                action="accounts.create",
                obj=user,
                jurisdiction_path=(place or getattr(firm, "jurisdiction", None)).path
                if (place or firm)
                else "",
                after={"username": username, "role": role, "via": "create_account"},
                note="服务器命令行新建",
            )
        self.stdout.write(f"已新建账号 {username}（{user.get_role_display()}）。")
        self.stdout.write(f"一次性激活码：{code}")
        self.stdout.write(
            "请把激活码交给本人，在登录页“用激活码设置密码”处设置密码（7 天内有效）。"
        )
