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

GRADING_JURISDICTION = "jiaxian"
PUBLISHER = "publisher_jiaxian"


def _notice_start(today: dt.date) -> dt.date:
    """A working day about six weeks ago, so the notice is long over."""
    from objections.calendar import is_workday

    day = today - dt.timedelta(days=45)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def seed(*, rng, stdout, today: dt.date) -> None:
    from employers.models import Jurisdiction, User
    from grading import services as grading_services
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
    if cycle is None or cycle.status in (CycleStatus.OPEN,):
        grading_services.regrade(cycle=year, jurisdiction=jurisdiction)
        cycle = Cycle.objects.filter(jurisdiction=jurisdiction, year=year).first()
    if cycle is None or cycle.status == CycleStatus.OPEN:
        stdout.write("公布演示数据：年度评级未产生结果，跳过")
        return

    try:
        start = _notice_start(today)
        if cycle.status == CycleStatus.COMPUTED:
            cycle = services.start_review(cycle=cycle, actor=publisher, note="演示数据")
        if cycle.status in (CycleStatus.COMPUTED, CycleStatus.UNDER_REVIEW):
            with transaction.atomic():
                services.start_public_notice(
                    cycle=cycle,
                    actor=publisher,
                    start=start,
                    today=start,
                    document_no=f"郏人社〔{start.year}〕12号",
                    contact="郏县劳动保障监察大队 0375-5199999",
                )
            # SPEC §8 [r2]: the written notices are issued when the notice starts; in this
            # process, whatever the Celery setup.
            for job in DocumentJob.objects.filter(cycle=cycle, kind="written_notices"):
                if job.status != "done":
                    jobs.run(job.pk)
        cycle.refresh_from_db()
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
        f"公示期 {cycle.notice_start} 至 {cycle.notice_end}"
    )
