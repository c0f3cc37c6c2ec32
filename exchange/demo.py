"""Demo data for ``manage.py seed_demo`` (runs after publication's): the exchange with partners.

- the sister units of 江津区 and 郏县 (劳动关系、基金监督、劳动争议仲裁、就业、社会保险、工会), each with a
  consultee account ``consultee_<jurisdiction>_<unit>`` (password as every demo account);
- a consultation in progress on 江津区's cycle under review: one unit has answered "no objection",
  the trade union has objected to one employer, the others have not answered yet;
- a partner token for 郏县 (printed once: it is stored hashed);
- a grade certificate of ``employer_demo`` for each of its published grades (its code printed).

Idempotent: what exists is left as it is (an existing token cannot be printed again).
"""

from __future__ import annotations

import datetime as dt

UNITS = [
    ("labour_relations", "劳动关系科"),
    ("fund_supervision", "基金监督科"),
    ("arbitration", "劳动人事争议仲裁院"),
    ("employment", "就业服务中心"),
    ("social_insurance", "社会保险事务中心"),
    ("trade_union", "总工会"),
]
PARTNER_TOKEN = "演示-郏县市场监督管理局"


def seed(*, rng, stdout, today: dt.date) -> None:
    _sysadmin_permissions()
    for code in ("jiangjin", "jiaxian"):
        _units(code, stdout)
    _consultation(today, stdout)
    _token(stdout)
    _certificates(stdout)


def _sysadmin_permissions() -> None:
    from django.contrib.auth.models import Permission

    from employers.models import User

    sysadmin = User.objects.filter(username="sysadmin").first()
    if sysadmin is None:
        return
    perms = Permission.objects.filter(
        content_type__app_label="exchange", content_type__model__in=["sisterunit", "unitmember"]
    )
    sysadmin.user_permissions.add(*perms)


def _units(code: str, stdout) -> None:
    from employers.choices import Role
    from employers.management.commands.seed_demo import DEMO_PASSWORD
    from employers.models import Jurisdiction, User

    from .models import SisterUnit, UnitMember

    jurisdiction = Jurisdiction.objects.filter(code=code).first()
    if jurisdiction is None:
        return
    prefix = (jurisdiction.authority or jurisdiction.name).replace("人力资源和社会保障局", "")
    created = 0
    for kind, label in UNITS:
        name = f"{prefix}{label}" if kind != "trade_union" else f"{jurisdiction.name}{label}"
        unit, _new = SisterUnit.objects.get_or_create(
            jurisdiction=jurisdiction, name=name, defaults={"kind": kind}
        )
        username = f"consultee_{code}_{kind}"
        user, new_user = User.objects.get_or_create(
            username=username,
            defaults={
                "role": Role.CONSULTEE,
                "display_name": f"{name}联系人",
                "must_change_password": False,
            },
        )
        if new_user:
            user.set_password(DEMO_PASSWORD)
            user.save()
            created += 1
        UnitMember.objects.get_or_create(user=user, defaults={"unit": unit})
    stdout.write(
        f"数据交换演示数据：{jurisdiction.name} 征求意见单位 {len(UNITS)} 个，新账号 {created} 个"
    )


def _consultation(today: dt.date, stdout) -> None:
    from employers.models import User
    from grading.choices import CycleStatus
    from grading.models import Cycle
    from grading.selectors import cycle_grades

    from . import services
    from .models import Consultation, ConsultationReply

    cycle = (
        Cycle.objects.filter(
            jurisdiction__code="jiangjin",
            status__in=(CycleStatus.COMPUTED, CycleStatus.UNDER_REVIEW),
        )
        .order_by("-year")
        .first()
    )
    publisher = User.objects.filter(username="publisher_jiangjin").first()
    if cycle is None or publisher is None:
        stdout.write("数据交换演示数据：江津区没有复核中的周期，未发送征求意见")
        return
    if Consultation.objects.filter(cycle=cycle).exists():
        stdout.write(
            f"数据交换演示数据：{cycle.jurisdiction.name}{cycle.year}年度已征求意见，未改变"
        )
        return
    from .panels import default_reply_by

    consultation = services.send_consultation(
        cycle=cycle,
        actor=publisher,
        reply_by=default_reply_by(today),
        message=(
            f"现将{cycle.year}年度企业劳动保障守法诚信等级拟评价结果送你单位征求意见，"
            "请在答复期限内反馈；逾期未反馈的视为无意见。"
        ),
        today=today,
    )
    replies = {r.unit.kind: r for r in ConsultationReply.objects.filter(consultation=consultation)}
    first = replies.get("social_insurance")
    if first is not None:
        services.submit_reply(
            reply=first,
            actor=first.unit.members.first().user,
            no_objection=True,
            note="经核对社会保险登记和缴费情况，无异议。",
            today=today,
        )
    union = replies.get("trade_union")
    grade = cycle_grades(cycle).filter(grade="A").select_related("employer").first()
    if union is not None and grade is not None:
        user = union.unit.members.first().user
        services.add_objection(
            reply=union,
            grade=grade,
            reason="职工反映该单位今年下半年存在延长工作时间未支付加班费的情况，建议核实后再确定等级。",
            actor=user,
        )
        services.submit_reply(reply=union, actor=user, no_objection=False, today=today)
    stdout.write(
        f"数据交换演示数据：{cycle.jurisdiction.name}{cycle.year}年度拟评价结果已征求意见，"
        f"答复期限 {consultation.reply_by:%Y年%-m月%-d日}"
    )


def _token(stdout) -> None:
    from employers.models import Jurisdiction

    from . import tokens
    from .models import PartnerToken

    if PartnerToken.objects.filter(name=PARTNER_TOKEN, revoked_at__isnull=True).exists():
        stdout.write(
            f"数据交换演示数据：令牌“{PARTNER_TOKEN}”已存在（令牌只在创建时显示一次；"
            "需要新令牌请用 manage.py partner_token create）"
        )
        return
    jurisdiction = Jurisdiction.objects.filter(code="jiaxian").first()
    if jurisdiction is None:
        return
    _row, raw = tokens.create_token(
        name=PARTNER_TOKEN, jurisdiction=jurisdiction, department="郏县市场监督管理局"
    )
    stdout.write(f"数据交换演示数据：协同部门查询接口令牌（郏县，只显示这一次）：{raw}")
    stdout.write(
        f"  例：curl -H 'Authorization: Bearer {raw}' http://127.0.0.1:8000/api/v1/published"
    )


def _certificates(stdout) -> None:
    from employers.models import User

    from . import services
    from .selectors import employer_results

    user = User.objects.filter(username="employer_demo").select_related("employer").first()
    if user is None or user.employer is None:
        return
    for result in employer_results(user.employer):
        certificate = services.issue_certificate(result=result, actor=user)
        stdout.write(
            f"数据交换演示数据：{result.name} {result.year}年度等级证明核验码 "
            f"{services.format_code(certificate.code)}（/verify/{certificate.code}/）"
        )
