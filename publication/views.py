from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from employers.choices import Role
from employers.models import Jurisdiction
from employers.paging import KeysetPaginator, estimated_count, keyset_page
from employers.permissions import role_required
from employers.selectors import search_employers, searched_order
from employers.tabular import xlsx_bytes
from grading.choices import CycleStatus

from . import hooks, notices, outbox, proposals, services
from .choices import DocumentKind, JobStatus, OutboxStatus
from .documents import XLSX_CONTENT_TYPE
from .forms import (
    AdjustmentForm,
    NoticeStartForm,
    ProposalConfirmForm,
    ProposalDismissForm,
    PublicSearchForm,
)
from .jobs import DEFAULT_LIST_TITLE, LIST_TITLES
from .measures import patrol_list
from .models import (
    CycleDocument,
    DocumentJob,
    PublicNotice,
    PublishedAdjustment,
    PublishedResult,
)
from .results import pending_overrides, undecided_objections, upheld_grade_cases
from .selectors import (
    CYCLE_READERS,
    OUTBOX_READERS,
    cycle_overview,
    final_grades,
    grade_in_force,
    public_results,
    published_cycles,
    published_overview,
    search_published_results,
    visible_cycles,
    visible_outbox,
    visible_proposals,
    visible_written_notices,
)
from .stub import behaviour


def display_list_title(cycle) -> str:
    """jobs.list_title in the user's language (the same words in Chinese)."""
    title = LIST_TITLES.get(cycle.ruleset_code, DEFAULT_LIST_TITLE)
    return _("%(year)s年度%(title)s名单") % {"year": cycle.year, "title": _(title)}


@role_required(*OUTBOX_READERS)
def outbox_list(request):
    messages_qs = visible_outbox(request.user)
    status = request.GET.get("status") or OutboxStatus.PENDING
    if status not in OutboxStatus.values:
        status = OutboxStatus.PENDING
    # A publication queues a message per employer (a million at once): each tab's number is
    # counted exactly only when small, else estimated by the planner (issue 15; the GROUP BY
    # and the page's COUNT(*) over every message took 2.3 s of 4.6 at 1M employers).
    tabs = []
    for value, label in OutboxStatus.choices:
        count, exact = estimated_count(messages_qs.filter(status=value))
        tabs.append(
            {"value": value, "label": label, "count": count, "exact": exact,
             "active": value == status}
        )  # fmt: skip
    listed = messages_qs.filter(status=status).order_by(
        *(("next_attempt_at", "id") if status == OutboxStatus.PENDING else ("-created_at", "-id"))
    )
    page = keyset_page(request, listed, 50)
    ratio, mode, delay_ms = behaviour()
    return render(
        request,
        "publication/outbox.html",
        {
            "tabs": tabs,
            "status": status,
            "page": page,
            "query": f"status={status}",
            "can_retry": request.user.has_role(Role.PUBLISHER),
            "stub": {"ratio": ratio, "mode": mode, "delay_ms": delay_ms},
        },
    )


@role_required(Role.PUBLISHER)
@require_POST
def outbox_retry(request, pk):
    message = get_object_or_404(visible_outbox(request.user), pk=pk)
    outbox.retry_message(message=message, actor=request.user)
    messages.success(request, _("已重新排队，将立即推送。"))
    return redirect(f"{reverse('publication:outbox')}?status={OutboxStatus.PENDING}")


@role_required(Role.PUBLISHER)
@require_POST
def outbox_retry_failed(request):
    failed = visible_outbox(request.user).filter(status=OutboxStatus.FAILED)
    count = 0
    for message in failed.iterator():
        outbox.retry_message(message=message, actor=request.user)
        count += 1
    messages.success(request, _("已重新排队 %(n)d 条失败消息。") % {"n": count})
    return redirect("publication:outbox")


@role_required(Role.PUBLISHER)
@require_POST
def outbox_drain(request):
    """Send due messages now (useful without a Celery worker); bounded in time."""
    stats = outbox.drain(max_seconds=10.0)
    messages.info(
        request,
        _("本次推送：送达 %(d)d 条，待重试 %(r)d 条，失败 %(f)d 条。")
        % {"d": stats.delivered, "r": stats.retrying, "f": stats.failed},
    )
    return redirect("publication:outbox")


# --- cycles ------------------------------------------------------------------------------------


@role_required(*CYCLE_READERS)
def cycle_list(request):
    cycles = visible_cycles(request.user).order_by("-year", "jurisdiction__path", "ruleset_code")
    page = Paginator(cycles, 25).get_page(request.GET.get("page"))
    return render(request, "publication/cycle_list.html", {"page": page})


def _next_workday_from(day):
    from objections.calendar import CalendarNotLoaded, is_workday, next_workday

    try:
        return day if is_workday(day) else next_workday(day)
    except CalendarNotLoaded:
        return day


@role_required(*CYCLE_READERS)
def cycle_detail(request, pk):
    cycle = get_object_or_404(visible_cycles(request.user), pk=pk)
    status = cycle.status
    published = status == CycleStatus.PUBLISHED
    context = {
        "cycle": cycle,
        "steps": _steps(cycle),
        "authority": services.authority_of(cycle),
        "can_act": request.user.has_role(Role.PUBLISHER) and services.in_scope(request.user, cycle),
        "transitions": cycle.transitions.select_related("actor"),
        "jobs": cycle.document_jobs.all()[:5],
        "written_notices": cycle.written_notices.select_related("employer").order_by(
            "employer__name", "-id"
        )[:200],
        "public_notice": PublicNotice.objects.filter(cycle=cycle).first(),
        "panels": hooks.cycle_panels(request, cycle),
    }
    publishing = services.publish_job(cycle)
    context["publishing"] = (
        status == CycleStatus.FINAL
        and publishing is not None
        and publishing.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    )
    # Aggregates in SQL and the results paged (issue 15): no walk over every result.
    if published:
        context.update(published_overview(cycle))
        listed = (
            PublishedResult.objects.filter(cycle=cycle)
            .only("id", "name", "uscc", "grade", "computed_grade")
            .order_by("name", "id")
        )
        context["documents"] = cycle.documents.exclude(kind=DocumentKind.WRITTEN_NOTICE)
        context["adjustments"] = PublishedAdjustment.objects.filter(
            result__cycle=cycle
        ).select_related("result", "decided_by")
        context["upheld_cases"] = upheld_grade_cases(cycle)
    else:
        context.update(cycle_overview(cycle))
        listed = (
            final_grades(cycle)
            .select_related("employer")
            .only("id", "grade", "employer__name", "employer__uscc")
            .order_by("employer__name", "pk")
        )
        context["pending_overrides"] = pending_overrides(cycle)
        if status in (CycleStatus.COMPUTED, CycleStatus.UNDER_REVIEW):
            context["notice_form"] = NoticeStartForm(
                initial={
                    "start": _next_workday_from(timezone.localdate()),
                    "title": notices.default_title(cycle),
                    "how_to_object": notices.default_how_to_object(cycle),
                    "contact": services.authority_of(cycle),
                }
            )
        if status == CycleStatus.PUBLIC_NOTICE:
            needed, missing = notices.notices_to_make_estimate(cycle)
            context["notices_needed"], context["notices_missing"] = needed, missing
            from objections.calendar import CalendarNotLoaded

            try:
                context["earliest_final"] = services.earliest_final_date(cycle)
            except CalendarNotLoaded as exc:
                context["calendar_problem"] = str(exc)
            # No dead end (issue 11 item 6): what blocks finalising is listed with its link.
            undecided = undecided_objections(cycle)
            context["open_objections"] = undecided.count()
            context["undecided"] = list(undecided.select_related("employer")[:50])
    page = keyset_page(request, listed, 50)
    context["page"] = page
    context["rows"] = [
        {"name": r.name, "uscc": r.uscc, "grade": r.grade, "computed": r.computed_grade}
        if published
        else {
            "name": r.employer.name,
            "uscc": r.employer.uscc,
            "grade": r.final,
            "computed": r.grade,
        }
        for r in page
    ]
    return render(request, "publication/cycle_detail.html", context)


def _steps(cycle):
    order = [
        CycleStatus.COMPUTED,
        CycleStatus.UNDER_REVIEW,
        CycleStatus.PUBLIC_NOTICE,
        CycleStatus.FINAL,
        CycleStatus.PUBLISHED,
    ]
    position = order.index(cycle.status) if cycle.status in order else -1
    return [
        {
            "label": s.label,
            "state": "done" if i < position else "current" if i == position else "todo",
        }
        for i, s in enumerate(order)
    ]


def _workflow_step(request, pk, action):
    cycle = get_object_or_404(visible_cycles(request.user), pk=pk)
    try:
        action(cycle)
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
    return redirect("publication:cycle_detail", pk=cycle.pk)


@role_required(Role.PUBLISHER)
@require_POST
def cycle_start_review(request, pk):
    def action(cycle):
        services.start_review(cycle=cycle, actor=request.user)
        messages.success(request, _("已进入人工复核。"))

    return _workflow_step(request, pk, action)


@role_required(Role.PUBLISHER)
@require_POST
def cycle_written_notices(request, pk):
    def action(cycle):
        services.request_written_notices(cycle=cycle, actor=request.user)
        messages.success(request, _("书面告知书正在生成。"))

    return _workflow_step(request, pk, action)


@role_required(Role.PUBLISHER)
@require_POST
def cycle_start_notice(request, pk):
    def action(cycle):
        form = NoticeStartForm(request.POST)
        if not form.is_valid():
            missing = "、".join(str(form.fields[f].label) for f in form.errors if f in form.fields)
            raise services.WorkflowError(
                _("请填写公示信息：%(fields)s") % {"fields": missing or _("公示开始日期")}
            )
        data = form.cleaned_data
        cycle = services.start_public_notice(
            cycle=cycle,
            actor=request.user,
            start=data["start"],
            title=data["title"],
            document_no=data["document_no"],
            how_to_object=data["how_to_object"],
            contact=data["contact"],
        )
        messages.success(
            request,
            _("已开始公示：%(start)s至%(end)s。")
            % {"start": date_format(cycle.notice_start), "end": date_format(cycle.notice_end)},
        )

    return _workflow_step(request, pk, action)


@role_required(Role.PUBLISHER)
@require_POST
def cycle_finalise(request, pk):
    def action(cycle):
        services.finalise(cycle=cycle, actor=request.user, note=request.POST.get("note", ""))
        messages.success(request, _("评价结果已确定。"))

    return _workflow_step(request, pk, action)


@role_required(Role.PUBLISHER)
@require_POST
def cycle_publish(request, pk):
    def action(cycle):
        cycle = services.publish(cycle=cycle, actor=request.user)
        if cycle.status == CycleStatus.PUBLISHED:
            messages.success(
                request, _("评价结果已公布，公布文件正在生成，结果将推送至信用信息共享平台。")
            )
        else:
            messages.success(
                request,
                _("正在公布评价结果，进度见本页；完成后结果将推送至信用信息共享平台。"),
            )

    return _workflow_step(request, pk, action)


@role_required(Role.PUBLISHER)
@require_POST
def cycle_remake_documents(request, pk):
    def action(cycle):
        services.remake_documents(cycle=cycle, actor=request.user)
        messages.success(request, _("公布文件正在重新生成。"))

    return _workflow_step(request, pk, action)


@role_required(*CYCLE_READERS)
def job_progress(request, pk):
    job = get_object_or_404(DocumentJob, pk=pk, cycle__in=visible_cycles(request.user))
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "step": _(job.step),  # marked with gettext_noop in jobs.py
            "error": job.error,
            "finished": job.status in (JobStatus.DONE, JobStatus.FAILED),
        }
    )


# --- documents ---------------------------------------------------------------------------------


def _may_read_document(user, document) -> bool:
    cycle = document.cycle
    if document.is_public and cycle.status == CycleStatus.PUBLISHED:
        return True
    if not user.is_authenticated:
        return False
    if visible_cycles(user).filter(pk=cycle.pk).exists():
        return True
    # The employer reads its own written notice once the public notice has started.
    return (
        document.kind == DocumentKind.WRITTEN_NOTICE
        and user.has_role(Role.EMPLOYER)
        and user.employer_id == document.employer_id
        and cycle.status in (CycleStatus.PUBLIC_NOTICE, CycleStatus.FINAL, CycleStatus.PUBLISHED)
    )


def document_download(request, pk):
    document = get_object_or_404(CycleDocument.objects.select_related("cycle"), pk=pk)
    if not _may_read_document(request.user, document):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    name = document.file.name.rsplit("/", 1)[-1]
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=name)


# --- adjustments -------------------------------------------------------------------------------


@role_required(*services.ADJUSTERS)
@require_http_methods(["GET", "POST"])
def cycle_adjust(request, pk):
    from grading import rulesets

    cycle = get_object_or_404(visible_cycles(request.user), pk=pk, status=CycleStatus.PUBLISHED)
    try:
        grades = rulesets.get(cycle.ruleset_code).grades
    except KeyError:
        grades = ("A", "B", "C", "D")
    form = AdjustmentForm(
        request.POST or None,
        grades=grades,
        initial={
            "uscc": request.GET.get("uscc", ""),
            "reference": request.GET.get("reference", ""),
            "effective_date": timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = PublishedResult.objects.filter(cycle=cycle, uscc=data["uscc"]).first()
        if result is None:
            form.add_error("uscc", _("本周期公布名单中没有该统一社会信用代码"))
        else:
            try:
                services.adjust_published_result(
                    result=result,
                    new_grade=data["new_grade"],
                    effective_date=data["effective_date"],
                    public_note=data["public_note"],
                    reason=data["reason"],
                    reference=data["reference"],
                    actor=request.user,
                )
            except services.WorkflowError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已登记并公布结果调整。"))
                return redirect("publication:cycle_detail", pk=cycle.pk)
    # The employer is picked from a search (the employer picker), not from a list of the whole
    # cycle on the page: a county's cycle has hundreds of thousands of results.
    return render(request, "publication/adjust.html", {"cycle": cycle, "form": form})


# --- measures in force -------------------------------------------------------------------------


@role_required(*CYCLE_READERS)
def cycle_measures(request, pk):
    cycle = get_object_or_404(visible_cycles(request.user), pk=pk, status=CycleStatus.PUBLISHED)
    results = (
        PublishedResult.objects.filter(cycle=cycle)
        .prefetch_related("adjustments")
        .order_by("street_name", "name", "id")
    )
    groups = patrol_list(cycle, results)
    if request.GET.get("format") == "xlsx":
        headers = [
            _("巡查类别"),
            _("单位名称"),
            _("统一社会信用代码"),
            _("乡镇街道"),
            _("现行等级"),
            _("监管措施"),
        ]
        rows = (
            [
                group.label,
                entry.result.name,
                entry.result.uscc,
                entry.result.street_name,
                entry.grade,
                "；".join(f"{m.text}（{m.article}）" for m in entry.measures),
            ]
            for group in groups
            for entry in group.entries
        )
        response = HttpResponse(
            xlsx_bytes(headers, rows, title=_("巡查工作名单")), content_type=XLSX_CONTENT_TYPE
        )
        response["Content-Disposition"] = (
            f'attachment; filename="patrol-{cycle.jurisdiction.code}-{cycle.year + 1}.xlsx"'
        )
        return response
    return render(
        request,
        "publication/measures.html",
        {"cycle": cycle, "groups": groups, "next_year": cycle.year + 1},
    )


# --- public pages (no login) -------------------------------------------------------------------


# public_index (the landing page) is in home_views.

GRADE_FILTER = ("A", "B", "C", "D")


def _grade_filter(request) -> str:
    grade = request.GET.get("grade", "")
    return grade if grade in GRADE_FILTER else ""


def public_list(request, code, year):
    jurisdiction = get_object_or_404(Jurisdiction, code=code)
    cycles = list(published_cycles().filter(jurisdiction=jurisdiction, year=year))
    if not cycles:
        raise Http404
    form = PublicSearchForm(request.GET or None)
    results = public_results(jurisdiction, year)
    q = ""
    if form.is_valid() and form.cleaned_data["q"].strip():
        q = form.cleaned_data["q"].strip()
        results = search_published_results(results, q)
    grade = _grade_filter(request)
    if grade:  # the grade now in force, on the same rows (no join back through a subquery)
        results = results.filter(grade_in_force(grade))
    order = searched_order(results, "name", "id") if q else ["name", "id"]
    # Sorted from its matches unless they are many, else in publication order (the page says so).
    results = results.order_by(*order)
    # Counted exactly only when small (a search or filter matching most of a million rows is
    # estimated too: "约 N 条").
    page = KeysetPaginator(results, 50, total=getattr(order, "total", None)).get_page(request.GET)
    rows = [
        {"name": r.name, "uscc": r.uscc, "grade": services.current_grade(r), "original": r.grade}
        for r in page
    ]
    adjustments = (
        PublishedAdjustment.objects.filter(result__cycle__in=cycles)
        .select_related("result")
        .order_by("-effective_date", "-id")
    )
    files = CycleDocument.objects.filter(cycle__in=cycles, is_public=True).order_by(
        "cycle_id", "part"
    )
    return render(
        request,
        "publication/public_list.html",
        {
            "jurisdiction": jurisdiction,
            "year": year,
            "authority": services.authority_of(cycles[0]),
            "titles": sorted({display_list_title(c) for c in cycles}),
            "published_at": max(c.published_at for c in cycles),
            "form": form,
            "page": page,
            "rows": rows,
            "query": urlencode({k: v for k, v in (("q", q), ("grade", grade)) if v}),
            "grade": grade,
            "grades": GRADE_FILTER,
            "adjustments": adjustments,
            "files": files,
            "links": hooks.public_list_links(jurisdiction, year),
        },
    )


# --- public notice and written notices (SPEC §8 [r2]) -----------------------------------------


def public_notice(request, pk):
    """The public notice page (no login): the proposed list during 公示, with its title, 文号,
    period, how to object and contact — name, USCC and proposed grade only."""
    notice = get_object_or_404(
        PublicNotice.objects.select_related("cycle__jurisdiction"),
        pk=pk,
        cycle__status=CycleStatus.PUBLIC_NOTICE,
    )
    cycle = notice.cycle
    form = PublicSearchForm(request.GET or None)
    results = notices.proposed_results(cycle)
    counts = dict(results.order_by().values_list("final").annotate(n=Count("id")))
    distribution = [(g, counts[g]) for g in GRADE_FILTER if counts.get(g)]
    q = ""
    if form.is_valid() and form.cleaned_data["q"].strip():
        q = form.cleaned_data["q"].strip()
        results = search_employers(results, q, employer_field="employer")
    grade = _grade_filter(request)
    if grade:
        results = results.filter(final=grade)
    order = searched_order(results, "employer__name", "pk", searched=bool(q))
    page = KeysetPaginator(
        results.only("id", "grade", "employer__name", "employer__uscc").order_by(*order),
        50,
        total=getattr(order, "total", None),
    ).get_page(request.GET)
    from objections.calendar import CalendarNotLoaded, notice_days

    try:
        workdays = len(notice_days(notice.start, services.NOTICE_WORKDAYS))
    except CalendarNotLoaded:
        workdays = services.NOTICE_WORKDAYS
    return render(
        request,
        "publication/public_notice.html",
        {
            "notice": notice,
            "cycle": cycle,
            "authority": services.authority_of(cycle),
            "workdays": workdays,
            "form": form,
            "page": page,
            "rows": [
                {"name": g.employer.name, "uscc": g.employer.uscc, "grade": g.final} for g in page
            ],
            "query": urlencode({k: v for k, v in (("q", q), ("grade", grade)) if v}),
            "grade": grade,
            "grades": GRADE_FILTER,
            "distribution": distribution,
        },
    )


@login_required
def notice_detail(request, pk):
    """The online copy of a written notice: the employer reads its own (after opening it, which
    records the read receipt); staff of the jurisdiction see it and whether it was opened."""
    notice = get_object_or_404(visible_written_notices(request.user), pk=pk)
    is_owner = request.user.has_role(Role.EMPLOYER)
    return render(
        request,
        "publication/notice_detail.html",
        {
            "notice": notice,
            "cycle": notice.cycle,
            "authority": services.authority_of(notice.cycle),
            "public_notice": PublicNotice.objects.filter(cycle=notice.cycle).first(),
            "is_owner": is_owner,
            "show_text": not is_owner or notice.first_opened_at is not None,
        },
    )


@role_required(Role.EMPLOYER)
@require_POST
def notice_open(request, pk):
    """The employer opens its notice: the first opening is its read receipt (a POST: a GET never
    writes)."""
    notice = get_object_or_404(visible_written_notices(request.user), pk=pk)
    notices.open_notice(notice=notice, actor=request.user)
    return redirect("publication:notice", pk=notice.pk)


# --- adjustment proposals (SPEC §5.1 [r2] jiaxian 第二十一条, §7 [r2] repair) -------------------


@role_required(*CYCLE_READERS)
def adjustments(request):
    listed = visible_proposals(request.user)
    status = request.GET.get("status") or "pending"
    listed = (
        listed.filter(status=status) if status in ("pending", "confirmed", "dismissed") else listed
    )
    page = Paginator(listed.order_by("due_date", "created_at", "id"), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "publication/adjustments.html",
        {
            "page": page,
            "status": status,
            "query": f"status={status}",
            "can_act": request.user.has_role(*services.ADJUSTERS),
            "confirm_form": ProposalConfirmForm(),
            "dismiss_form": ProposalDismissForm(),
            "today": timezone.localdate(),
        },
    )


@role_required(*services.ADJUSTERS)
@require_POST
def adjustment_confirm(request, pk):
    proposal = get_object_or_404(visible_proposals(request.user), pk=pk)
    form = ProposalConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写公告说明"))
    else:
        try:
            proposals.confirm_proposal(
                proposal=proposal, actor=request.user, public_note=form.cleaned_data["public_note"]
            )
        except services.WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已公布等级调整。"))
    return redirect("publication:adjustments")


@role_required(*services.ADJUSTERS)
@require_POST
def adjustment_dismiss(request, pk):
    proposal = get_object_or_404(visible_proposals(request.user), pk=pk)
    try:
        proposals.dismiss_proposal(
            proposal=proposal, actor=request.user, note=request.POST.get("note", "")
        )
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已记录不予调整。"))
    return redirect("publication:adjustments")
