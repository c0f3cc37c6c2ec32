"""Supervision pages: patrol plans and tasks, registry freshness, commitment letters, interview
and training lists. Views stay thin: reads in selectors, writes in services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from employers.choices import STAFF_ROLES, JurisdictionLevel, Role
from employers.paths import below
from employers.permissions import role_required
from employers.selectors import scope_by_employer, visible_employers
from employers.tabular import csv_bytes, xlsx_bytes

from . import letters, selectors, services
from .choices import PlanStatus, TaskState
from .forms import PlanForm, SignForm, TaskCloseForm, add_service_errors
from .models import PatrolTask
from .sampler import grade_name
from .sampling import CSV_COLUMNS, PatrolRow
from .sampling import csv_bytes as plan_csv_bytes

STAFF = tuple(STAFF_ROLES)
WRITERS = (Role.INSPECTOR, Role.SUPERVISOR)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _download(body: bytes, filename: str, fmt: str) -> HttpResponse:
    content_type = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _table(headers, rows, *, fmt: str, filename: str, title: str) -> HttpResponse:
    body = xlsx_bytes(headers, rows, title=title) if fmt == "xlsx" else csv_bytes(headers, rows)
    return _download(body, filename, fmt)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- patrol plans ---------------------------------------------------------------------------------


@role_required(*STAFF)
def plan_list(request):
    today = timezone.localdate()
    plans = (
        selectors.visible_plans(request.user)
        .annotate(**selectors.plan_counts(today))
        .order_by("-period_from", "jurisdiction__path", "-id")
    )
    page = Paginator(plans, 20).get_page(request.GET.get("page"))
    for plan in page.object_list:
        plan.progress = selectors.ProgressRow(
            label="",
            total=plan.n_total,
            done=plan.n_done,
            open=plan.n_open,
            overdue=plan.n_overdue,
        )
    return render(
        request,
        "supervision/plan_list.html",
        {"page": page, "can_plan": request.user.has_role(*WRITERS)},
    )


@role_required(*WRITERS)
@require_http_methods(["GET", "POST"])
def plan_new(request):
    jurisdictions = selectors.jurisdiction_choices(request.user)
    today = timezone.localdate()
    chosen = selectors.chosen_jurisdiction(
        request.user, request.POST.get("jurisdiction") or request.GET.get("jurisdiction")
    )
    codes = selectors.jurisdiction_rulesets(chosen, today) if chosen else []
    defaults = selectors.default_ratios(codes)
    initial = {
        "jurisdiction": chosen.code if chosen else None,
        "period_from": today.replace(month=1, day=1),
        "period_to": today.replace(month=12, day=31),
        **{field: defaults[grade] for grade, field in services.RATIO_FIELDS.items()},
    }
    form = PlanForm(request.POST or None, initial=initial, jurisdictions=jurisdictions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.create_plan(
                actor=request.user,
                jurisdiction=data["jurisdiction"],
                period_from=data["period_from"],
                period_to=data["period_to"],
                ratios=form.ratios(),
                seed=data["seed"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("巡查计划已制定，正在抽取。"))
            return redirect("supervision:plan_detail", pk=plan.pk)
    exempt = [(code, selectors.A_EXEMPT[code]) for code in codes if code in selectors.A_EXEMPT]
    return render(
        request,
        "supervision/plan_form.html",
        {"form": form, "chosen": chosen, "exempt": exempt, "a_exempt": selectors.a_exempt(codes)},
    )


def _plan_rows(plan, tasks):
    for task in tasks.order_by("employer__uscc").iterator(chunk_size=2000):
        yield PatrolRow(
            uscc=task.employer.uscc,
            name=task.employer.name,
            grade=task.grade,
            reason=task.reason,
            inspectors=(task.inspector_1.username, task.inspector_2.username),
        )


@role_required(*STAFF)
def plan_detail(request, pk):
    plan = get_object_or_404(selectors.visible_plans(request.user), pk=pk)
    today = timezone.localdate()
    tasks = selectors.plan_tasks(plan, request.user)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx") and plan.status == PlanStatus.DRAWN:
        rows = list(_plan_rows(plan, tasks))
        filename = (
            f"patrol-{plan.jurisdiction.code}-{plan.period_from:%Y%m%d}-{plan.period_to:%Y%m%d}"
        )
        if fmt == "csv":
            return _download(plan_csv_bytes(rows), filename, "csv")
        return _table(
            CSV_COLUMNS, (r.as_csv() for r in rows), fmt="xlsx", filename=filename, title="patrol"
        )
    progress = selectors.plan_progress(plan, today, tasks)
    state = request.GET.get("state", "")
    listed = tasks.filter(selectors.state_filter(state, today)) if state else tasks
    if request.GET.get("mine"):
        listed = listed.filter(Q(inspector_1=request.user) | Q(inspector_2=request.user))
    page = Paginator(listed.order_by("due_on", "employer__uscc"), 25).get_page(
        request.GET.get("page")
    )
    for task in page.object_list:
        task.state = selectors.task_state(task, today)
        task.can_close = task.state != "done" and services.can_close(request.user, task)
    counts = [
        {
            **c,
            "label": grade_name(c["grade"]),
            "key": c["grade"] or "U",
        }
        for c in plan.counts
    ]
    return render(
        request,
        "supervision/plan_detail.html",
        {
            "plan": plan,
            "progress": progress,
            "chart": progress.chart(),
            "page": page,
            "query": _query_without_page(request),
            "state": state,
            "states": TaskState.choices,
            "counts": counts,
            "exempt": [
                selectors.A_EXEMPT[c] for c in plan.ruleset_codes if c in selectors.A_EXEMPT
            ],
            "today": today,
        },
    )


# --- tasks ----------------------------------------------------------------------------------------


@role_required(Role.INSPECTOR)
def my_tasks(request):
    today = timezone.localdate()
    tasks = selectors.my_tasks(request.user)
    state = request.GET.get("state", "")
    if state:
        tasks = tasks.filter(selectors.state_filter(state, today))
    page = Paginator(tasks, 25).get_page(request.GET.get("page"))
    for task in page.object_list:
        task.state = selectors.task_state(task, today)
        task.partner = (
            task.inspector_2 if task.inspector_1_id == request.user.pk else task.inspector_1
        )
    open_tasks = selectors.my_tasks(request.user).filter(record__isnull=True)
    return render(
        request,
        "supervision/my_tasks.html",
        {
            "page": page,
            "query": _query_without_page(request),
            "state": state,
            "states": TaskState.choices,
            "open_count": open_tasks.count(),
            "overdue_count": open_tasks.filter(due_on__lt=today).count(),
        },
    )


def _visible_task(request, pk) -> PatrolTask:
    tasks = PatrolTask.objects.select_related(
        "plan",
        "plan__jurisdiction",
        "employer",
        "employer__jurisdiction",
        "inspector_1",
        "inspector_2",
        "record",
    )
    return get_object_or_404(scope_by_employer(tasks, request.user, "employer"), pk=pk)


@role_required(*WRITERS)
@require_http_methods(["GET", "POST"])
def task_close(request, pk):
    task = _visible_task(request, pk)
    if not services.can_close(request.user, task):
        raise PermissionDenied
    if task.record_id:
        messages.info(request, _("该巡查任务已完成。"))
        return redirect("credit_records:detail", pk=task.record_id)
    initial = {
        "date": timezone.localdate(),
        "result": "no_issue",
        "summary": services.patrol_summary(task),
        "department": task.plan.jurisdiction.authority or task.plan.jurisdiction.name,
    }
    form = TaskCloseForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.close_task(
                actor=request.user,
                task=task,
                date=data["date"],
                result=data["result"],
                case_no=data["case_no"],
                document_no=data["document_no"],
                summary=data["summary"],
                department=data["department"],
                attachments=data.get("attachments") or (),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("已录入“%(name)s”的日常巡视检查记录，任务完成。") % {"name": task.employer.name},
            )
            if data["result"] == "issue_found":
                messages.info(
                    request,
                    _(
                        "检查发现问题的，请在该单位页面另行录入查处记录（如“劳动保障违法行为被查处”）。"
                    ),
                )
            if request.user.role == Role.INSPECTOR:
                return redirect("supervision:my_tasks")
            return redirect("supervision:plan_detail", pk=task.plan_id)
    return render(request, "supervision/task_close.html", {"task": task, "form": form})


# --- registry freshness ---------------------------------------------------------------------------


@role_required(*STAFF)
def freshness(request):
    today = timezone.localdate()
    jurisdiction = selectors.chosen_jurisdiction(request.user, request.GET.get("jurisdiction"))
    rows = selectors.registry_freshness(jurisdiction, today) if jurisdiction else []
    months = selectors.month_starts(today)
    return render(
        request,
        "supervision/freshness.html",
        {
            "jurisdictions": selectors.jurisdiction_choices(request.user),
            "chosen": jurisdiction,
            "rows": rows,
            "months": months,
            "cutoff": selectors.freshness_cutoff(today),
            "target": selectors.FRESH_TARGET_PERCENT,
            "per_month": selectors.NEW_PER_MONTH,
            "short_count": sum(1 for r in rows if r.short),
            "today": today,
        },
    )


@role_required(*STAFF)
def stale(request):
    today = timezone.localdate()
    jurisdiction = selectors.chosen_jurisdiction(request.user, request.GET.get("jurisdiction"))
    if jurisdiction is None:
        raise Http404
    street = selectors.chosen_jurisdiction(request.user, request.GET.get("street"))
    if (
        street is None
        or street.level != JurisdictionLevel.STREET
        or not below(street.path, jurisdiction.path)
    ):
        street = None
    employers = selectors.stale_employers(street or jurisdiction, today, request.user)
    page = Paginator(employers, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/stale.html",
        {
            "jurisdiction": jurisdiction,
            "street": street,
            "streets": jurisdiction.subtree().filter(level="street").order_by("path"),
            "page": page,
            "query": _query_without_page(request),
            "can_confirm": request.user.has_role(*WRITERS),
            "cutoff": selectors.freshness_cutoff(today),
        },
    )


@role_required(*WRITERS)
@require_POST
def registry_confirm(request, employer_pk):
    employer = get_object_or_404(visible_employers(request.user), pk=employer_pk)
    services.confirm_registry(actor=request.user, employer=employer)
    messages.success(request, _("已确认“%(name)s”的登记信息无变化。") % {"name": employer.name})
    return redirect(_safe_next(request, reverse("employers:detail", args=[employer.pk])))


# --- commitment letters ---------------------------------------------------------------------------


def _year(request) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    today = timezone.localdate()
    if raw.isdigit() and 2000 <= int(raw) <= today.year + 1:
        return int(raw)
    return today.year


@role_required(*STAFF)
def commitments(request):
    year = _year(request)
    jurisdiction = selectors.chosen_jurisdiction(request.user, request.GET.get("jurisdiction"))
    tab = "signed" if request.GET.get("tab") == "signed" else "unsigned"
    unsigned = selectors.unsigned_agencies(request.user, year, jurisdiction)
    signed = selectors.signed_letters(request.user, year, jurisdiction)
    listed = signed if tab == "signed" else unsigned
    page = Paginator(listed, 25).get_page(request.GET.get("page"))
    current = timezone.localdate().year
    return render(
        request,
        "supervision/commitments.html",
        {
            "year": year,
            "years": list(range(current, current - 5, -1)),
            "jurisdictions": selectors.jurisdiction_choices(request.user),
            "chosen": jurisdiction,
            "tab": tab,
            "page": page,
            "query": _query_without_page(request),
            "unsigned_count": unsigned.count(),
            "signed_count": signed.count(),
            "can_remind": request.user.has_role(*WRITERS),
        },
    )


@role_required(*WRITERS)
@require_POST
def commitment_remind(request):
    year = _year(request)
    jurisdiction = selectors.chosen_jurisdiction(request.user, request.POST.get("jurisdiction"))
    ids = None
    if request.POST.get("scope") != "all":
        ids = [int(v) for v in request.POST.getlist("employer") if v.isdigit()]
        if not ids:
            messages.error(request, _("请选择要提醒的机构，或选择“提醒全部未签署机构”。"))
            return redirect(reverse("supervision:commitments") + f"?year={year}")
    result = services.remind_unsigned(
        actor=request.user, year=year, employer_ids=ids, jurisdiction=jurisdiction
    )
    messages.success(
        request,
        _(
            "已提醒 %(n)d 家机构（站内消息和邮件）；无登录账号需电话或书面提醒的 %(none)d 家；今日已提醒过未重复发送的 %(again)d 家。"
        )
        % {"n": result.reminded, "none": result.without_account, "again": result.already_today},
    )
    target = reverse("supervision:commitments") + f"?year={year}"
    if jurisdiction is not None:
        target += f"&jurisdiction={jurisdiction.code}"
    return redirect(target)


@role_required(Role.EMPLOYER)
@require_http_methods(["GET", "POST"])
def commitment_sign(request):
    employer = request.user.employer
    if employer is None:
        raise Http404
    today = timezone.localdate()
    agency = selectors.is_agency(employer)
    letter = selectors.letter_for(employer, today.year) if agency else None
    form = None
    if agency and letter is None:
        form = SignForm(request.POST or None, initial={"legal_rep_name": employer.legal_rep})
        if request.method == "POST" and form.is_valid():
            try:
                letter = services.sign_commitment(
                    actor=request.user,
                    employer=employer,
                    legal_rep_name=form.cleaned_data["legal_rep_name"],
                    agreed=form.cleaned_data["agreed"],
                    today=today,
                )
            except services.AlreadySigned as exc:
                messages.info(request, exc.messages[0])
                return redirect("supervision:commitment_sign")
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("诚信承诺书已签署，并已记入本单位信用记录。"))
                return redirect("supervision:commitment_sign")
    elif request.method == "POST":
        if letter is not None:
            messages.info(request, _("本单位本年度的诚信承诺书已签署，无需重复签署。"))
        else:
            messages.error(request, _("只有人力资源服务机构需要签署诚信承诺书。"))
        return redirect("supervision:commitment_sign")
    return render(
        request,
        "supervision/commitment_sign.html",
        {
            "employer": employer,
            "agency": agency,
            "letter": letter,
            "form": form,
            "year": today.year,
            "text": letters.letter_text(unit_name=employer.name),
            "pledges": letters.PLEDGES,
            "liability": letters.LIABILITY,
            "past": employer.commitment_letters.exclude(year=today.year).order_by("-year"),
        },
    )


@role_required(*STAFF, Role.EMPLOYER)
def commitment_pdf(request, pk):
    letter = get_object_or_404(selectors.visible_letters(request.user), pk=pk)
    body = letters.letter_pdf(
        letter, authority=letter.employer.jurisdiction.grading_root().authority
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="commitment-{letter.uscc}-{letter.year}.pdf"'
    )
    return response


# --- interview and training lists -----------------------------------------------------------------

LIST_HEADERS = [
    "统一社会信用代码",
    "单位名称",
    "乡镇街道",
    "评价年度",
    "等级",
    "法定代表人",
    "联系电话",
    "最近约谈日期",
]


def _list_rows(rows):
    for g in rows.iterator(chunk_size=2000):
        e = g.employer
        yield [
            e.uscc,
            e.name,
            e.street.name if e.street_id else "",
            g.cycle_year,
            g.final_grade,
            e.legal_rep,
            e.phone,
            letters.cn_date(g.last_interview) if g.last_interview else "",
        ]


def _supervised_list(request, *, kind: str):
    jurisdiction = selectors.chosen_jurisdiction(request.user, request.GET.get("jurisdiction"))
    if jurisdiction is None:
        raise Http404
    include_done = request.GET.get("all") == "1"
    if kind == "interviews":
        rows = selectors.interview_list(request.user, jurisdiction, include_done=include_done)
    else:
        rows = selectors.training_list(request.user, jurisdiction)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        stamp = timezone.localdate().strftime("%Y%m%d")
        return _table(
            LIST_HEADERS,
            _list_rows(rows),
            fmt=fmt,
            filename=f"{kind}-{jurisdiction.code}-{stamp}",
            title=kind,
        )
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request,
        f"supervision/{kind}.html",
        {
            "jurisdictions": selectors.jurisdiction_choices(request.user),
            "chosen": jurisdiction,
            "cycles": sorted(
                selectors.latest_published_cycles(jurisdiction), key=lambda c: c.ruleset_code
            ),
            "page": page,
            "query": _query_without_page(request),
            "include_done": include_done,
            "can_record": request.user.has_role(*WRITERS),
            "kind": kind,
        },
    )


@role_required(*STAFF)
def interviews(request):
    return _supervised_list(request, kind="interviews")


@role_required(*STAFF)
def training(request):
    return _supervised_list(request, kind="training")
