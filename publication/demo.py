"""Demo data for ``manage.py seed_demo``: last year's cycle of 郏县 taken through the whole
workflow — computed, reviewed, written notices, five working days of public notice, final,
published — so the public pages, the documents and the platform stub have content.

The steps run through the real services as ``publisher_jiaxian``; the notice dates are placed in
the past (the services take the day as a parameter), so the cycle can be finalised today.
Idempotent: a cycle that is already published is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from credit_records.periods import cn_date as _cn

GRADING_JURISDICTION = "jiaxian"
PUBLISHER = "publisher_jiaxian"
# The cycle a newcomer finishes (issue 11 item 9): its public notice has ended, nobody has
# finalised it yet.
READY_JURISDICTION = "xiqing"
READY_PUBLISHER = "publisher_xiqing"
READY_WORKDAYS_AGO = 10  # the notice started this many working days before today


def _workdays_back(today: dt.date, n: int) -> dt.date:
    """The working day ``n`` working days before ``today`` (the calendar of SPEC §6)."""
    from objections.calendar import is_workday

    day, count = today, 0
    while count < n:
        day -= dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return day


def _notice_start(today: dt.date) -> dt.date:
    """A working day about six weeks ago, so the notice is long over."""
    from objections.calendar import is_workday

    day = today - dt.timedelta(days=45)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def _graded_cycle(jurisdiction, year):
    """The jurisdiction's cycle of ``year``, graded through the services if it is not yet
    (None when grading produced nothing)."""
    from grading import services as grading_services
    from grading.choices import CycleStatus
    from grading.models import Cycle

    cycle = Cycle.objects.filter(jurisdiction=jurisdiction, year=year).first()
    if cycle is None or cycle.status == CycleStatus.OPEN:
        grading_services.regrade(cycle=year, jurisdiction=jurisdiction)
        cycle = Cycle.objects.filter(jurisdiction=jurisdiction, year=year).first()
    if cycle is None or cycle.status == CycleStatus.OPEN:
        return None
    return cycle


def _start_notice(cycle, *, publisher, start, document_no: str, contact: str):
    """Review (if not begun) and a public notice from ``start``, its written notices made in
    this process whatever the Celery setup (SPEC §8 [r2]: issued when the notice starts)."""
    from grading.choices import CycleStatus

    from . import jobs, services
    from .models import DocumentJob

    if cycle.status == CycleStatus.COMPUTED:
        cycle = services.start_review(cycle=cycle, actor=publisher, note="演示数据")
    with transaction.atomic():
        services.start_public_notice(
            cycle=cycle, actor=publisher, start=start, today=start,
            document_no=document_no, contact=contact,
        )  # fmt: skip
    for job in DocumentJob.objects.filter(cycle=cycle, kind="written_notices"):
        if job.status != "done":
            jobs.run(job.pk)
    cycle.refresh_from_db()
    return cycle


def seed(*, rng, stdout, today: dt.date) -> None:
    _seed_published(stdout=stdout, today=today)
    _seed_ready_to_finalise(stdout=stdout, today=today)


def _seed_ready_to_finalise(*, stdout, today: dt.date) -> None:
    """Last year's cycle of 西青区 taken through review and a public notice that started
    READY_WORKDAYS_AGO working days ago, through the services: the notice is over, so
    ``publisher_xiqing`` can finalise and publish it from the cycle page today."""
    from employers.models import Jurisdiction, User
    from grading.choices import CycleStatus
    from objections.calendar import CalendarNotLoaded

    from . import services

    year = today.year - 1
    jurisdiction = Jurisdiction.objects.filter(code=READY_JURISDICTION).first()
    publisher = User.objects.filter(username=READY_PUBLISHER).first()
    if jurisdiction is None or publisher is None:
        stdout.write("公布演示数据：缺少西青区辖区或发布管理员账号，跳过待确定的周期")
        return
    cycle = _graded_cycle(jurisdiction, year)
    if cycle is None:
        stdout.write("公布演示数据：西青区年度评级未产生结果，跳过待确定的周期")
        return
    if cycle.status not in (CycleStatus.COMPUTED, CycleStatus.UNDER_REVIEW):
        stdout.write(f"公布演示数据：{cycle}（{cycle.get_status_display()}），未改变")
        return
    try:
        start = _workdays_back(today, READY_WORKDAYS_AGO)
        cycle = _start_notice(
            cycle, publisher=publisher, start=start,
            document_no=f"西青人社〔{start.year}〕8号", contact="西青区劳动保障监察支队 022-27391234",
        )  # fmt: skip
        ready_on = services.earliest_final_date(cycle)
    except (services.WorkflowError, CalendarNotLoaded) as exc:
        stdout.write(f"公布演示数据：{cycle} 未能进入公示：{exc}")
        return
    stdout.write(
        f"公布演示数据：{cycle} 公示期 {_cn(cycle.notice_start)} 至 {_cn(cycle.notice_end)}，"
        f"已期满，{_cn(ready_on)}起可确定结果——请以 {READY_PUBLISHER} 登录，"
        "在“公示与发布 › 年度评价周期”中确定并公布"
    )


def _seed_published(*, stdout, today: dt.date) -> None:
    from employers.models import Jurisdiction, User
    from grading.choices import CycleStatus
    from grading.models import Cycle
    from objections.calendar import CalendarNotLoaded

    from . import jobs, services
    from .models import DocumentJob

    year = today.year - 1
    jurisdiction = Jurisdiction.objects.filter(code=GRADING_JURISDICTION).first()
    publisher = User.objects.filter(username=PUBLISHER).first()
    if jurisdiction is None or publisher is None:
        stdout.write("公布演示数据：缺少郏县辖区或发布管理员账号，跳过")
        return
    cycle = Cycle.objects.filter(jurisdiction=jurisdiction, year=year).first()
    if cycle is not None and cycle.status == CycleStatus.PUBLISHED:
        stdout.write(f"公布演示数据：{cycle} 已公布，未改变")
        return
    cycle = _graded_cycle(jurisdiction, year)
    if cycle is None:
        stdout.write("公布演示数据：年度评级未产生结果，跳过")
        return

    try:
        start = _notice_start(today)
        if cycle.status in (CycleStatus.COMPUTED, CycleStatus.UNDER_REVIEW):
            cycle = _start_notice(
                cycle, publisher=publisher, start=start,
                document_no=f"郏人社〔{start.year}〕12号", contact="郏县劳动保障监察大队 0375-5199999",
            )  # fmt: skip
        if cycle.status == CycleStatus.PUBLIC_NOTICE:
            services.finalise(
                cycle=cycle, actor=publisher, today=services.earliest_final_date(cycle)
            )
        services.publish(cycle=cycle, actor=publisher, note="演示数据")
    except (services.WorkflowError, CalendarNotLoaded) as exc:
        stdout.write(f"公布演示数据：{cycle} 未能公布：{exc}")
        return
    job = DocumentJob.objects.filter(cycle=cycle, kind="publication").first()
    if job is not None and job.status != "done":
        jobs.run(job.pk)
    cycle.refresh_from_db()
    stdout.write(
        f"公布演示数据：{cycle} 已公布 {cycle.published_results.count()} 家，"
        f"公示期 {_cn(cycle.notice_start)} 至 {_cn(cycle.notice_end)}"
    )
