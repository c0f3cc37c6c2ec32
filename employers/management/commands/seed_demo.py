"""python manage.py seed_demo — demo employers, one account per role, and each app's demo data.

Idempotent: running it twice changes nothing the second time. Never run it on production data.
"""

import importlib
import random

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from employers.choices import Role
from employers.demo_data import employer_rows
from employers.models import Employer, Jurisdiction, User

DEMO_PASSWORD = "Demo-Pass-2024"
NEW_ACCOUNT = "inspector_jiaxian_new"
# Apps that contribute demo data through `<app>.demo.seed(*, rng, stdout, today)`, in order.
DEMO_APPS = [
    "credit_records",
    "grading",
    "objections",
    "publication",
    "written_review",
    "supervision",
    "exchange",
]


class Command(BaseCommand):
    help = "生成演示数据：约 400 家用人单位、每个角色的演示账号，以及各模块的演示记录"

    def add_arguments(self, parser):
        parser.add_argument(
            "--employers", type=int, default=100, help="每个辖区的用人单位数（默认 100）"
        )
        parser.add_argument("--seed", type=int, default=2024, help="随机数种子")

    def handle(self, *args, employers, seed, **options):
        rng = random.Random(seed)
        today = timezone.localdate()
        with transaction.atomic():
            created = self._employers(rng, employers)
            self._accounts()
        self.stdout.write(f"用人单位：新增 {created} 家，共 {Employer.objects.count()} 家")
        for app in DEMO_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name not in (app, f"{app}.demo"):  # the app itself may not be there yet
                    raise
                continue
            module.seed(rng=random.Random(f"{seed}-{app}"), stdout=self.stdout, today=today)
        self._print_accounts()

    def _employers(self, rng, per_jurisdiction):
        jurisdictions = {j.code: j for j in Jurisdiction.objects.all()}
        streets_by_root = {}
        for code in ("jiaxian", "xiqing", "jiangjin", "xuchang"):
            streets_by_root[code] = list(jurisdictions[code].subtree().filter(level="street"))
        existing = set(Employer.objects.values_list("uscc", flat=True))
        new = []
        for row in employer_rows(rng, per_jurisdiction):
            code = row.pop("jurisdiction")
            street = rng.choice(
                streets_by_root[code]
            )  # drawn before the skip: same sequence every run
            if row["uscc"] in existing:
                continue
            new.append(Employer(jurisdiction=jurisdictions[code], street=street, **row))
        Employer.objects.bulk_create(new, batch_size=500)
        return len(new)

    def _accounts(self):
        def account(
            username,
            role,
            *,
            name,
            jurisdiction=None,
            employer=None,
            staff=False,
            must_change=False,
        ):
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "role": role,
                    "display_name": name,
                    "must_change_password": must_change,
                },
            )
            if created:
                user.jurisdiction = (
                    Jurisdiction.objects.get(code=jurisdiction) if jurisdiction else None
                )
                user.employer = employer
                user.is_staff = staff
                user.set_password(DEMO_PASSWORD)
                user.save()
                if staff:
                    from django.contrib.auth.models import Permission

                    # The sysadmin manages users and jurisdictions; never credit data (三员分立).
                    perms = Permission.objects.filter(
                        content_type__app_label="employers",
                        content_type__model__in=["user", "jurisdiction"],
                    ) | Permission.objects.filter(
                        content_type__app_label="employers", codename="view_employer"
                    )
                    user.user_permissions.set(perms)

        names = {"jiaxian": "郏县", "xiqing": "西青", "jiangjin": "江津", "xuchang": "许昌"}
        for code, label in names.items():
            account(f"inspector_{code}", Role.INSPECTOR, name=f"{label}监察员", jurisdiction=code)
            account(
                f"supervisor_{code}",
                Role.SUPERVISOR,
                name=f"{label}监察机构负责人",
                jurisdiction=code,
            )
            account(
                f"publisher_{code}", Role.PUBLISHER, name=f"{label}发布管理员", jurisdiction=code
            )
        account("auditor", Role.AUDITOR, name="审计员", jurisdiction="jiaxian")
        # A newcomer's account: the first login asks for a new password.
        account(
            NEW_ACCOUNT,
            Role.INSPECTOR,
            name="郏县新入职监察员",
            jurisdiction="jiaxian",
            must_change=True,
        )
        account("sysadmin", Role.SYSADMIN, name="系统管理员", staff=True)
        demo_employer = (
            Employer.objects.filter(jurisdiction__code="jiaxian", kind="enterprise")
            .order_by("pk")
            .first()
        )
        if demo_employer:
            account("employer_demo", Role.EMPLOYER, name=demo_employer.name, employer=demo_employer)
        hr_agency = (
            Employer.objects.filter(jurisdiction__code="xuchang", kind="hr_agency")
            .order_by("pk")
            .first()
        )
        if hr_agency:
            account("employer_xuchang", Role.EMPLOYER, name=hr_agency.name, employer=hr_agency)

    def _print_accounts(self):
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for user in User.objects.order_by("role", "username"):
            scope = (
                user.employer.name
                if user.employer_id
                else (user.jurisdiction.name if user.jurisdiction_id else "全部")
            )
            note = "（首次登录须修改密码）" if user.must_change_password else ""
            self.stdout.write(f"  {user.username:<22} {user.get_role_display():<10} {scope}{note}")
        if settings.DEBUG:
            self.stdout.write("打开 http://127.0.0.1:8000/ 登录。")
        self.stdout.write(
            "可以先以 publisher_xiqing 登录，在工作台上找到公示期已满的西青区周期，确定并公布它。"
        )
