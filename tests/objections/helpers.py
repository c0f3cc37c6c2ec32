import datetime

from credit_records.services import add_record


def penalty(
    employer,
    date,
    *,
    performance="performed",
    procedure="general",
    document_no="郏人社罚〔2024〕1号",
    **extra,
):
    return add_record(
        actor=None,
        employer=employer,
        kind="administrative_penalty",
        date=date,
        performance=performance,
        procedure=procedure,
        document_no=document_no,
        **extra,
    )


def violation(
    employer, date, *, severity="general", rectification="rectified", category="wages", **extra
):
    return add_record(
        actor=None,
        employer=employer,
        kind="violation",
        date=date,
        severity=severity,
        category=category,
        rectification=rectification,
        **extra,
    )


def blacklist(employer, date, **extra):
    return add_record(
        actor=None, employer=employer, kind="wage_arrears_blacklist", date=date, **extra
    )


def months_ago(today, months):
    from dateutil.relativedelta import relativedelta

    return today - relativedelta(months=months)


D = datetime.date
