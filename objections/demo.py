"""Demo data: a few objections in various states and one repair application for the demo
employer of 郏县 (``employer_demo``), handled by ``inspector_jiaxian`` / ``supervisor_jiaxian``.
Idempotent: does nothing when its objections are already there."""

import datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction

from credit_records.services import add_record
from employers.choices import Role
from employers.models import User

from . import services
from .choices import ObjectionKind, Outcome, RecordRemedy
from .models import Objection

MARK = "【演示】"


def seed(*, rng, stdout, today: datetime.date):
    try:
        applicant = User.objects.get(username="employer_demo", role=Role.EMPLOYER)
        inspector = User.objects.get(username="inspector_jiaxian")
        supervisor = User.objects.get(username="supervisor_jiaxian")
    except User.DoesNotExist:
        stdout.write("异议与修复演示数据：缺少演示账号，跳过")
        return
    employer = applicant.employer
    if Objection.objects.filter(employer=employer, reasons__startswith=MARK).exists():
        stdout.write("异议与修复演示数据：已存在，未改变")
        return

    def record(kind, months, **fields):
        return add_record(
            actor=None,
            employer=employer,
            kind=kind,
            date=today - relativedelta(months=months),
            **fields,
        )

    with transaction.atomic():
        penalty = record(
            "administrative_penalty",
            5,
            performance="performed",
            procedure="general",
            document_no="郏人社监罚〔演示〕1号",
            summary="未按时足额支付劳动报酬",
        )
        mistaken = record(
            "violation",
            3,
            severity="general",
            category="working_hours",
            rectification="rectified",
            document_no="郏人社监责〔演示〕2号",
            summary="误录：该单位并非检查对象",
        )
        violation = record(
            "violation",
            2,
            severity="general",
            category="social_insurance",
            rectification="rectified",
            document_no="郏人社监责〔演示〕3号",
            summary="未依法参加社会保险",
        )
        late = record(
            "administrative_penalty",
            1,
            performance="performed",
            procedure="general",
            document_no="郏人社监罚〔演示〕4号",
            summary="超时加班",
        )

        def file(rec, days_ago, reasons, ground="error"):
            return services.file_objection(
                actor=applicant,
                employer=employer,
                kind=ObjectionKind.RECORD,
                ground=ground,
                reasons=MARK + reasons,
                record=rec,
                today=today - datetime.timedelta(days=days_ago),
            )

        # 1. upheld and approved: the mistaken record is voided
        upheld = file(mistaken, 20, "本单位未曾接受该次检查，记录系误录。")
        services.accept(actor=inspector, case=upheld)
        services.decide(
            actor=inspector,
            objection=upheld,
            outcome=Outcome.UPHELD,
            reasons="经核实系录入错误，予以作废。",
            remedy=RecordRemedy.VOID,
        )
        services.approve_decision(actor=supervisor, case=upheld, note="同意")
        # 2. rejected and closed
        rejected = file(penalty, 30, "罚款金额有误。")
        services.accept(actor=inspector, case=rejected)
        services.decide(
            actor=inspector,
            objection=rejected,
            outcome=Outcome.REJECTED,
            reasons="经核对处罚决定书，金额无误。",
        )
        services.approve_decision(actor=supervisor, case=rejected)
        # 3. needs verification with the social insurance agency (10 working days)
        verifying = file(violation, 6, "已补缴社会保险费，记录情节有误。")
        services.accept(actor=inspector, case=verifying)
        services.mark_needs_verification(
            actor=inspector, objection=verifying, note="需向社会保险经办机构核实缴费情况"
        )
        # 4. just submitted
        file(late, 0, "加班已支付加班费，请核实。", ground="omission")
        # 5. a repair application for the performed penalty (5 months: past the 3-month minimum)
        services.apply_for_repair(
            actor=applicant,
            employer=employer,
            record=penalty,
            corrected_on=today - relativedelta(months=4),
            commitment_signed=True,
            reasons=MARK + "罚款已全额缴纳，已签署信用承诺书。",
        )
    stdout.write(f"异议与修复演示数据：{employer.name} 异议 4 件、信用修复申请 1 件")
