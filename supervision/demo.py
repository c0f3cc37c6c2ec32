"""Demo data for ``manage.py seed_demo`` (runs after publication's, so 郏县's last cycle is
published):

- 郏县: two more inspectors (a plan needs two per employer), last half-year's patrol plan mostly
  done with a few tasks overdue, and this year's plan in progress;
- registry freshness in 郏县: registration and change dates spread over two years, one street
  (薛店镇) short of five new employers last month and behind with its updates, two employers
  confirmed unchanged;
- 许昌: a few HR agencies have signed their letter through their own accounts; the others —
  including ``employer_xuchang``'s, left for the demo user to sign — have been reminded once;
- an interview recorded for one C/D employer of 郏县's published cycle.

Everything goes through the services. Idempotent: each part is skipped when its data is there.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.utils import timezone

JURISDICTION = "jiaxian"
EXTRA_INSPECTORS = [
    ("inspector_jiaxian_2", "郏县监察员二"),
    ("inspector_jiaxian_3", "郏县监察员三"),
]
SHORT_STREET = "jiaxian-xuedian"
NEW_LAST_MONTH = {
    "jiaxian-longshan": 6,
    "jiaxian-dongcheng": 5,
    "jiaxian-anliang": 5,
    "jiaxian-tangjie": 7,
    SHORT_STREET: 3,
}


def seed(*, rng, stdout, today: dt.date) -> None:
    from employers.models import Jurisdiction, User

    jurisdiction = Jurisdiction.objects.filter(code=JURISDICTION).first()
    inspector = User.objects.filter(username="inspector_jiaxian").first()
    if jurisdiction is None or inspector is None:
        stdout.write("分类监管演示数据：缺少郏县辖区或监察员账号，跳过")
        return
    _inspectors(jurisdiction)
    _freshness(jurisdiction, inspector, rng=rng, today=today, stdout=stdout)
    _plans(jurisdiction, inspector, rng=rng, today=today, stdout=stdout)
    _interview(jurisdiction, inspector, today=today, stdout=stdout)
    _letters(rng=rng, today=today, stdout=stdout)


def _inspectors(jurisdiction) -> None:
    from employers.choices import Role
    from employers.management.commands.seed_demo import DEMO_PASSWORD
    from employers.models import User

    for username, name in EXTRA_INSPECTORS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": Role.INSPECTOR,
                "display_name": name,
                "jurisdiction": jurisdiction,
                "must_change_password": False,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()


def _at(day: dt.date, rng) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59)))
    return timezone.make_aware(moment)


def _freshness(jurisdiction, inspector, *, rng, today, stdout) -> None:
    """Registration and change dates for 郏县's employers (demo only: the registry's own
    timestamps are set directly, as an import of historical data would have them)."""
    from employers.models import Employer

    from . import services

    employers = Employer.objects.filter(jurisdiction=jurisdiction)
    if employers.filter(registry_confirmed_at__isnull=False).exists():
        stdout.write("分类监管演示数据：登记信息更新情况已存在，未改变")
        return
    last_month = today.replace(day=1) - relativedelta(months=1)
    by_street: dict = {}
    for employer in employers.select_related("street").order_by("pk"):
        by_street.setdefault(employer.street.code if employer.street_id else "", []).append(
            employer
        )
    for street, members in by_street.items():
        new = NEW_LAST_MONTH.get(street, 0)
        keep_up = 0.55 if street == SHORT_STREET else 0.97
        for k, employer in enumerate(members):
            if k < new:
                created = _at(last_month + dt.timedelta(days=rng.randint(0, 27)), rng)
                updated = created
            else:
                created = _at(today - dt.timedelta(days=rng.randint(70, 760)), rng)
                updated = created
                if created.date() < today - relativedelta(months=11) and rng.random() < keep_up:
                    updated = _at(today - dt.timedelta(days=rng.randint(5, 300)), rng)
            Employer.objects.filter(pk=employer.pk).update(created_at=created, updated_at=updated)
    stale = list(
        employers.filter(updated_at__lt=timezone.now() - dt.timedelta(days=400)).order_by("pk")[:2]
    )
    for employer in stale:
        services.confirm_registry(actor=inspector, employer=employer)
    stdout.write(
        f"分类监管演示数据：郏县登记信息时间已分布，确认无变化 {len(stale)} 家；薛店镇上月新增 3 户（未达标）"
    )


def _plans(jurisdiction, inspector, *, rng, today, stdout) -> None:
    from django.core.exceptions import ValidationError

    from . import services
    from .models import PatrolPlan

    if PatrolPlan.objects.filter(jurisdiction=jurisdiction).exists():
        stdout.write("分类监管演示数据：巡查计划已存在，未改变")
        return
    last_year = today.year - 1
    periods = [
        (dt.date(last_year, 7, 1), dt.date(last_year, 12, 31), 0.8),
        (dt.date(today.year, 1, 1), dt.date(today.year, 12, 31), 0.3),
    ]
    for start, end, share_done in periods:
        try:
            plan = services.draw_plan(
                actor=inspector,
                jurisdiction=jurisdiction,
                period_from=start,
                period_to=end,
                seed=rng.randint(1, 10**9),
            ).plan
        except ValidationError as exc:
            stdout.write(f"分类监管演示数据：巡查计划未能抽取：{'；'.join(exc.messages)}")
            return
        tasks = list(plan.tasks.select_related("inspector_1", "inspector_2", "employer"))
        last_day = min(end, today)
        span = max((last_day - start).days, 0)
        done = 0
        for task in tasks:
            if rng.random() >= share_done:
                continue
            day = start + dt.timedelta(days=rng.randint(0, span))
            result = "issue_found" if rng.random() < 0.2 else "no_issue"
            services.close_task(
                actor=rng.choice([task.inspector_1, task.inspector_2]),
                task=task,
                date=day,
                result=result,
                summary=services.patrol_summary(task)
                + (
                    "；发现未按时足额支付加班工资，已责令改正"
                    if result == "issue_found"
                    else "；未发现问题"
                ),
                department=jurisdiction.authority,
            )
            done += 1
        stdout.write(f"分类监管演示数据：{plan} 抽取 {len(tasks)} 家，已完成 {done} 家")


def _interview(jurisdiction, inspector, *, today, stdout) -> None:
    from credit_records.services import add_record

    from . import selectors

    rows = selectors.interview_list(inspector, jurisdiction)
    if (
        not rows.exists()
        or selectors.interview_list(inspector, jurisdiction, include_done=True)
        .filter(last_interview__isnull=False)
        .exists()
    ):
        return
    first = rows.first()
    add_record(
        actor=inspector,
        employer=first.employer,
        kind="interview",
        date=today,
        result="warning",
        source="patrol",
        summary="对主要负责人进行警示约谈，督促按期整改",
    )
    stdout.write(f"分类监管演示数据：已记录约谈 {first.employer.name}")


def _letters(*, rng, today, stdout) -> None:
    from employers.choices import EmployerKind, Role
    from employers.management.commands.seed_demo import DEMO_PASSWORD
    from employers.models import Employer, Jurisdiction, User

    from . import selectors, services
    from .models import CommitmentLetter

    xuchang = Jurisdiction.objects.filter(code="xuchang").first()
    inspector = User.objects.filter(username="inspector_xuchang").first()
    if xuchang is None or inspector is None:
        return
    if CommitmentLetter.objects.filter(year=today.year).exists():
        stdout.write("分类监管演示数据：诚信承诺书已存在，未改变")
        return
    reserved = set(
        User.objects.filter(username="employer_xuchang").values_list("employer_id", flat=True)
    )
    agencies = [
        e
        for e in Employer.objects.filter(
            kind__in=selectors.AGENCY_KINDS, jurisdiction__in=xuchang.subtree()
        ).order_by("pk")
        if e.pk not in reserved and selectors.is_agency(e)
    ]
    signed = 0
    for k, agency in enumerate(agencies[:3], start=2):
        user, created = User.objects.get_or_create(
            username=f"employer_xuchang_{k}",
            defaults={
                "role": Role.EMPLOYER,
                "display_name": agency.name,
                "employer": agency,
                "must_change_password": False,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if user.employer_id != agency.pk:
            continue
        services.sign_commitment(
            actor=user,
            employer=agency,
            legal_rep_name=agency.legal_rep or "法定代表人",
            agreed=True,
            today=today,
        )
        signed += 1
    result = services.remind_unsigned(actor=inspector, year=today.year, today=today)
    kinds = dict(EmployerKind.choices)
    stdout.write(
        f"分类监管演示数据：许昌{kinds[EmployerKind.HR_AGENCY]}已签署诚信承诺书 {signed} 家，"
        f"已提醒未签署的 {result.reminded + result.without_account} 家"
    )
