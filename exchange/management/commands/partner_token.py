"""python manage.py partner_token create NAME --jurisdiction CODE [--days N]
   python manage.py partner_token revoke NAME

SPEC §9: ``create`` prints the new token on stdout and nothing else (it is stored hashed and cannot
be shown again); exit 2 on a usage error, 1 on a data error, with the reason on stderr.
"""

from django.core.management.base import BaseCommand, CommandError

from employers.models import Jurisdiction

from ... import tokens


class Command(BaseCommand):
    help = "创建或吊销协同部门查询接口令牌（令牌只显示一次）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="创建令牌并输出令牌")
        create.add_argument("name", help="令牌名称")
        create.add_argument("--jurisdiction", required=True, help="可查询的辖区代码（含下级）")
        create.add_argument("--days", type=int, default=None, help="有效天数（默认 365）")
        create.add_argument("--department", default="", help="协同部门名称")
        revoke = sub.add_parser("revoke", help="吊销令牌")
        revoke.add_argument("name", help="令牌名称")

    def handle(self, *args, action, name, **options):
        try:
            if action == "create":
                self._create(name, **options)
            else:
                tokens.revoke_by_name(name=name)
                self.stderr.write(f"令牌“{name}”已吊销")
        except tokens.TokenError as exc:
            raise CommandError(str(exc), returncode=1) from None

    def _create(self, name, *, jurisdiction, days, department, **options):
        place = Jurisdiction.objects.filter(code=jurisdiction).first()
        if place is None:
            raise CommandError(f"没有代码为“{jurisdiction}”的辖区", returncode=1)
        _token, raw = tokens.create_token(
            name=name, jurisdiction=place, days=days, department=department
        )
        self.stdout.write(raw)
