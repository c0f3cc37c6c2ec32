"""Pages of the written review. Views stay thin: scoped reads from ``selectors`` (an object out
of scope is a 404), writes through ``services`` (their Chinese errors shown as messages)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, Subquery
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from credit_records.periods import cn_date as _cn
from employers.choices import Role
from employers.permissions import role_required
from employers.selectors import visible_employers
from employers.tabular import xlsx_bytes
from employers.uscc import normalize_uscc

from . import commands, documents, forms, roster, sampling, selectors, services
from .choices import (
    DECLARING,
    UNIT_DOCS,
    WORKER_DOCS,
    PlanStatus,
    RectificationStatus,
    ReviewStatus,
    SampleReason,
)
from .models import LateOrder, ManualAddition, PlanCandidate, RectificationReport

STAFF = (Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER, Role.AUDITOR)
WRITERS = (Role.INSPECTOR, Role.SUPERVISOR)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(request, queryset, per_page=25):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _xlsx(name: str, headers, rows, title: str) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(headers, rows, title=title), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- plans -------------------------------------------------------------------------------------


@role_required(*STAFF)
def plans(request):
    page = _page(
        request, selectors.visible_plans(request.user).order_by("-year", "jurisdiction__path")
    )
    return render(
        request,
        "written_review/plans.html",
        {"page": page, "can_create": request.user.role in WRITERS},
    )


@role_required(*WRITERS)
@require_http_methods(["GET", "POST"])
def plan_create(request):
    form = forms.NewPlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        jurisdiction, year = data.pop("jurisdiction"), data.pop("year")
        try:
            plan = services.create_plan(
                actor=request.user, jurisdiction=jurisdiction, year=year, **data
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已创建书面审查计划。"))
            return redirect("written_review:plan", pk=plan.pk)
    return render(request, "written_review/plan_form.html", {"form": form, "plan": None})


def _plan(request, pk):
    return get_object_or_404(selectors.visible_plans(request.user), pk=pk)


def _manageable(request, plan):
    if not selectors.manageable_plan(request.user, plan):
        raise PermissionDenied
    return plan


@role_required(*STAFF)
def plan_detail(request, pk):
    plan = _plan(request, pk)
    reviews = selectors.visible_reviews(request.user).filter(plan=plan)
    status, reason, q = request.GET.get("status", ""), request.GET.get("reason", ""), ""
    if status in ReviewStatus.values:
        reviews = reviews.filter(status=status)
    if reason in SampleReason.values:
        reviews = reviews.filter(reason=reason)
    q = request.GET.get("q", "").strip()
    if q:
        reviews = reviews.filter(Q(employer__name__icontains=q) | Q(employer__uscc=q.upper()))
    query = "&".join(f"{k}={v}" for k, v in (("status", status), ("reason", reason), ("q", q)) if v)
    today = timezone.localdate()
    return render(
        request,
        "written_review/plan_detail.html",
        {
            "plan": plan,
            "page": _page(request, reviews.order_by("employer__uscc")),
            "query": query,
            "status": status,
            "reason": reason,
            "q": q,
            "statuses": ReviewStatus.choices,
            "reasons": SampleReason.choices,
            "counts": selectors.status_counts(
                selectors.visible_reviews(request.user).filter(plan=plan)
            ),
            "can_manage": selectors.manageable_plan(request.user, plan),
            "additions": plan.additions.select_related("employer", "added_by"),
            "addition_form": forms.ManualAdditionForm(),
            "draw_form": forms.DrawForm(),
            "rerun": commands.command_line(plan) if plan.seed is not None else "",
            "today": today,
        },
    )


@role_required(*WRITERS)
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    plan = _manageable(request, _plan(request, pk))
    if plan.status != PlanStatus.DRAFT:
        messages.error(request, _("计划已抽取，比例和参数不能再修改"))
        return redirect("written_review:plan", pk=plan.pk)
    form = forms.PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_plan(
                actor=request.user,
                plan=plan,
                **{f: form.cleaned_data[f] for f in services.PLAN_FIELDS},
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已保存计划。"))
            return redirect("written_review:plan", pk=plan.pk)
    # The form edits the instance in place while validating: show the stored plan's title.
    plan.refresh_from_db()
    return render(request, "written_review/plan_form.html", {"form": form, "plan": plan})


@role_required(*WRITERS)
@require_POST
def plan_add(request, pk):
    plan = _manageable(request, _plan(request, pk))
    form = forms.ManualAdditionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写统一社会信用代码和增加理由"))
        return redirect("written_review:plan", pk=plan.pk)
    uscc = normalize_uscc(form.cleaned_data["uscc"])
    employer = visible_employers(request.user).filter(uscc=uscc).first()
    if employer is None:
        messages.error(
            request, _("您的辖区内没有统一社会信用代码为“%(v)s”的用人单位") % {"v": uscc}
        )
        return redirect("written_review:plan", pk=plan.pk)
    try:
        services.add_manual(
            actor=request.user, plan=plan, employer=employer, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("已增加“%(name)s”。") % {"name": employer.name})
    return redirect("written_review:plan", pk=plan.pk)


@role_required(*WRITERS)
@require_POST
def plan_remove_addition(request, pk):
    addition = get_object_or_404(
        ManualAddition.objects.filter(plan__in=selectors.visible_plans(request.user)), pk=pk
    )
    _manageable(request, addition.plan)
    try:
        services.remove_manual(actor=request.user, addition=addition)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("已移除。"))
    return redirect("written_review:plan", pk=addition.plan_id)


@role_required(*WRITERS)
@require_POST
def plan_draw(request, pk):
    plan = _manageable(request, _plan(request, pk))
    form = forms.DrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("随机种子应为非负整数"))
        return redirect("written_review:plan", pk=plan.pk)
    try:
        services.start_draw(actor=request.user, plan=plan, seed=form.cleaned_data["seed"])
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("已开始抽取，完成后名单显示在本页。"))
    return redirect("written_review:plan", pk=plan.pk)


@role_required(*STAFF)
def plan_draw_progress(request, pk):
    plan = _plan(request, pk)
    return JsonResponse(
        {
            "status": plan.status,
            "status_label": plan.get_status_display(),
            "done": plan.draw_done,
            "total": plan.draw_total,
            "percent": plan.draw_percent,
            "error": plan.draw_error,
            "running": plan.status == PlanStatus.DRAWING or plan.notices_running,
        }
    )


@role_required(*WRITERS)
@require_POST
def plan_notify(request, pk):
    plan = _manageable(request, _plan(request, pk))
    try:
        waiting = services.send_notices(actor=request.user, plan=plan)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("正在向 %(n)d 家单位发送书面审查通知。") % {"n": waiting})
    return redirect("written_review:plan", pk=plan.pk)


@role_required(*STAFF)
def plan_sample_csv(request, pk):
    """The sample as ``draw_sample`` writes it (byte for byte): the draw repeated from what the
    plan stored."""
    plan = _plan(request, pk)
    if plan.status != PlanStatus.DRAWN:
        raise Http404
    response = HttpResponse(
        sampling.sample_csv(services.redraw(plan)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="written-review-{plan.jurisdiction.code}-{plan.year}.csv"'
    )
    return response


@role_required(*STAFF)
def plan_candidates_csv(request, pk):
    plan = _plan(request, pk)
    if plan.status != PlanStatus.DRAWN:
        raise Http404
    from employers.tabular import csv_bytes

    rows = (
        PlanCandidate.objects.filter(plan=plan)
        .order_by("uscc")
        .values_list("uscc", "name", "grade", "industry")
    )
    response = HttpResponse(
        csv_bytes(["uscc", "name", "grade", "industry"], rows.iterator(chunk_size=5000)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="candidates-{plan.jurisdiction.code}-{plan.year}.csv"'
    )
    return response


@role_required(*STAFF)
def plan_progress(request, pk):
    plan = _plan(request, pk)
    today = timezone.localdate()
    data = selectors.progress(selectors.visible_reviews(request.user).filter(plan=plan), today)
    if request.GET.get("format") == "xlsx":
        headers = [_("乡镇街道")] + [str(label) for _k, label in data["columns"]]
        rows = [[name, *counts] for name, counts in data["streets"]] + [[_("合计"), *data["total"]]]
        return _xlsx(
            f"progress-{plan.jurisdiction.code}-{plan.year}.xlsx", headers, rows, _("进度")
        )
    return render(
        request,
        "written_review/progress.html",
        {"plan": plan, "data": data, "today": today},
    )


EXPORTS = {
    "sample": gettext_lazy("审查名单"),
    "overdue": gettext_lazy("逾期未申报"),
    "problems": gettext_lazy("问题清单"),
}


@role_required(*STAFF)
def plan_export(request, pk, what):
    plan = _plan(request, pk)
    if what not in EXPORTS:
        raise Http404
    today = timezone.localdate()
    reviews = selectors.visible_reviews(request.user).filter(plan=plan).order_by("employer__uscc")
    if what == "problems":
        problems = (
            selectors.visible_problems(request.user)
            .filter(review__plan=plan)
            .order_by("review__employer__uscc", "number")
        )
        headers = [_("统一社会信用代码"), _("单位名称"), _("序号"), _("审查事项"), _("问题"),
                   _("法律依据"), _("处理方式"), _("立案编号"), _("整改状态"), _("整改期限")]  # fmt: skip
        rows = (
            [p.review.employer.uscc, p.review.employer.name, p.number, str(p.get_area_display()),
             p.description, p.legal_basis, str(p.get_handling_display()), p.case_no,
             str(p.get_rectification_display()), _cn(p.review.rectification_due)]
            for p in problems.iterator(chunk_size=2000)
        )  # fmt: skip
    else:
        if what == "overdue":
            reviews = selectors.overdue_declarations(reviews, today)
        headers = [_("统一社会信用代码"), _("单位名称"), _("乡镇街道"), _("最近公布等级"),
                   _("抽中方式"), _("状态"), _("通知日期"), _("申报期限"), _("申报日期"),
                   _("审查结论")]  # fmt: skip
        rows = (
            [r.employer.uscc, r.employer.name, r.employer.street.name if r.employer.street_id else "",
             r.grade or _("未评级"), str(r.get_reason_display()), str(r.get_status_display()),
             _cn(r.notified_on), _cn(r.due_date) if r.due_date else ("" if not r.due_pending else _("期限待国务院公布节假日安排后复核")),
             _cn(r.submitted_on), str(r.get_result_display()) if r.result else ""]
            for r in reviews.iterator(chunk_size=2000)
        )  # fmt: skip
    return _xlsx(
        f"{what}-{plan.jurisdiction.code}-{plan.year}.xlsx", headers, rows, str(EXPORTS[what])
    )


# --- lists -------------------------------------------------------------------------------------

QUEUE_TABS = {
    "submitted": gettext_lazy("待审查"),
    "proposed": gettext_lazy("待审批"),
    "reports": gettext_lazy("待核验整改"),
    "returned": gettext_lazy("退回补正中"),
}


@role_required(*WRITERS)
def queue(request):
    tab = request.GET.get("tab", "submitted")
    if tab not in QUEUE_TABS:
        tab = "submitted"
    reviews = selectors.visible_reviews(request.user)
    lists = {
        "submitted": reviews.filter(status=ReviewStatus.SUBMITTED).order_by("submitted_on", "pk"),
        "proposed": reviews.filter(status=ReviewStatus.PROPOSED).order_by("proposed_at", "pk"),
        "returned": reviews.filter(status=ReviewStatus.RETURNED).order_by("due_date", "pk"),
        "reports": selectors.reports_to_check(request.user),
    }
    return render(
        request,
        "written_review/queue.html",
        {
            "tab": tab,
            "tabs": QUEUE_TABS,
            "counts": {k: v.count() for k, v in lists.items()},
            "page": _page(request, lists[tab]),
            "query": f"tab={tab}",
            "today": timezone.localdate(),
        },
    )


@role_required(*STAFF)
def overdue(request):
    today = timezone.localdate()
    tab = request.GET.get("tab", "declarations")
    if tab == "rectifications":
        items = selectors.overdue_rectifications(selectors.visible_problems(request.user), today)
    else:
        tab = "declarations"
        # the latest 责令限期申报 per row in the same query (not one query per row)
        last_order = LateOrder.objects.filter(review=OuterRef("pk")).order_by("-issued_on", "-id")
        items = selectors.overdue_declarations(
            selectors.visible_reviews(request.user), today
        ).annotate(last_order_on=Subquery(last_order.values("issued_on")[:1]))
    if request.GET.get("format") == "xlsx":
        if tab == "rectifications":
            headers = [
                _("统一社会信用代码"),
                _("单位名称"),
                _("序号"),
                _("问题"),
                _("整改状态"),
                _("整改期限"),
            ]
            rows = ([p.review.employer.uscc, p.review.employer.name, p.number, p.description,
                     str(p.get_rectification_display()), _cn(p.review.rectification_due)]
                    for p in items.iterator(chunk_size=2000))  # fmt: skip
        else:
            headers = [
                _("统一社会信用代码"),
                _("单位名称"),
                _("审查计划"),
                _("状态"),
                _("申报期限"),
                _("责令限期申报"),
            ]
            rows = ([r.employer.uscc, r.employer.name, str(r.plan), str(r.get_status_display()),
                     _cn(r.due_date), _("是") if r.last_order_on else _("否")]
                    for r in items.iterator(chunk_size=2000))  # fmt: skip
        return _xlsx(f"overdue-{tab}.xlsx", headers, rows, _("逾期清单"))
    return render(
        request,
        "written_review/overdue.html",
        {"tab": tab, "page": _page(request, items), "query": f"tab={tab}", "today": today},
    )


@role_required(Role.EMPLOYER)
def mine(request):
    reviews = selectors.visible_reviews(request.user).order_by("-plan__year", "-pk")
    return render(
        request,
        "written_review/mine.html",
        {"page": _page(request, reviews), "today": timezone.localdate()},
    )


# --- one review --------------------------------------------------------------------------------


def _review(request, pk):
    return get_object_or_404(selectors.visible_reviews(request.user), pk=pk)


def _owner(request, review):
    if request.user.role != Role.EMPLOYER or request.user.employer_id != review.employer_id:
        raise PermissionDenied
    return review


def _writer(request, review):
    if request.user.role not in WRITERS:
        raise PermissionDenied
    return review


def _back(review):
    return redirect("written_review:review", pk=review.pk)


@role_required(*STAFF, Role.EMPLOYER)
def review_detail(request, pk):
    review = _review(request, pk)
    user = request.user
    is_owner = user.role == Role.EMPLOYER
    declaration = getattr(review, "declaration", None)
    today = timezone.localdate()
    roster_entries = review.roster.order_by("row")
    if request.GET.get("roster") != "all":
        roster_entries = roster_entries.filter(sampled=True)
    problems = list(review.problems.prefetch_related("reports__documents").order_by("number"))
    context = {
        "review": review,
        "plan": review.plan,
        "declaration": declaration,
        "is_owner": is_owner,
        "is_writer": user.role in WRITERS,
        "is_supervisor": user.role == Role.SUPERVISOR,
        # SPEC §10.2: ID numbers in full on the inspector's review page only.
        "show_ids": user.role == Role.INSPECTOR,
        "roster_entries": roster_entries[:200],
        "roster_all": request.GET.get("roster") == "all",
        "checklist": selectors.checklist(review),
        "orphans": selectors.orphan_documents(review),
        "missing": services.missing_items(review) if review.status in DECLARING else [],
        "problems": problems,
        "transitions": review.transitions.select_related("actor"),
        "orders": review.orders.all(),
        "today": today,
        "overdue": services.is_overdue(review, today),
        "editable": review.status in DECLARING and is_owner,
        "reviewing": review.status == ReviewStatus.SUBMITTED and user.role in WRITERS,
        "findings_form": forms.FindingsForm(
            initial={a: f for a, _l, f in review.findings()} | {"opinion": review.opinion}
        ),
        "problem_form": forms.ProblemForm(),
        "propose_form": forms.ProposeForm(initial={"result": review.proposed_result}),
        "decision_form": forms.DecisionForm(),
        "return_form": forms.ReturnForm(),
        "case_form": forms.CaseForm(),
        "report_form": forms.ReportForm(),
        "report_decision_form": forms.ReportDecisionForm(),
        "order_form": forms.LateOrderForm(),
        "obstruction_form": forms.ObstructionForm(initial={"date": today}),
        "upload_form": forms.UploadForm(),
        "can_approve": user.role == Role.SUPERVISOR
        and review.status == ReviewStatus.PROPOSED
        and review.proposed_by_id != user.pk,
        "rectification_open": review.status == ReviewStatus.APPROVED,
        "rectification_overdue": review.rectification_due is not None
        and review.rectification_due < today
        and review.status == ReviewStatus.APPROVED,
        "OPEN": (
            RectificationStatus.PENDING,
            RectificationStatus.REJECTED,
            RectificationStatus.OVERDUE,
        ),
    }
    return render(request, "written_review/review_detail.html", context)


@role_required(Role.EMPLOYER)
@require_http_methods(["GET", "POST"])
def declare(request, pk):
    review = _owner(request, _review(request, pk))
    declaration = getattr(review, "declaration", None)
    form = forms.DeclarationForm(request.POST or None, instance=declaration)
    if review.status not in DECLARING:
        messages.error(request, _("申报已提交，不能再修改（被退回补正时可以修改）"))
        return _back(review)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data.get(f) for f in services.DECLARATION_FIELDS}
        for text in ("contact_name", "contact_phone", "address", "comprehensive_approval_no",
                     "flexible_approval_no", "self_check_note"):  # fmt: skip
            data[text] = data[text] or ""
        try:
            services.save_declaration(actor=request.user, review=review, data=data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("已保存申报表（草稿）。全部材料齐备后请在审查页面提交。"))
            return _back(review)
    return render(request, "written_review/declaration_form.html", {"review": review, "form": form})


@role_required(Role.EMPLOYER)
@require_POST
def roster_upload(request, pk):
    review = _owner(request, _review(request, pk))
    form = forms.UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择职工花名册文件（CSV 或 XLSX）"))
        return _back(review)
    upload = form.cleaned_data["file"]
    if upload.size > 20 * 1024 * 1024:
        messages.error(request, _("花名册文件过大（最大 20 MB）"))
        return _back(review)
    try:
        result = services.upload_roster(
            actor=request.user, review=review, data=upload.read(), filename=upload.name
        )
    except ValidationError as exc:
        _errors(request, exc)
        return _back(review)
    if not result.ok:
        return render(
            request,
            "written_review/roster_problems.html",
            {"review": review, "problems": result.problems[:500], "total": len(result.problems),
             "filename": upload.name},
            status=400,
        )  # fmt: skip
    messages.success(
        request,
        _("已导入职工花名册 %(n)d 人，系统已抽取需提交材料的职工。") % {"n": len(result.workers)},
    )
    return _back(review)


def roster_template(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    response = HttpResponse(roster.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="roster-template.csv"'
    return response


@role_required(Role.EMPLOYER)
@require_POST
def documents_upload(request, pk):
    """File inputs named ``unit-<type>`` or ``worker-<roster entry id>-<type>``."""
    review = _owner(request, _review(request, pk))
    workers = {w.pk: w for w in review.roster.filter(sampled=True)}
    items = []
    for key in request.FILES:
        parts = key.split("-")
        uploads = request.FILES.getlist(key)
        if len(parts) == 2 and parts[0] == "unit" and parts[1] in UNIT_DOCS:
            items.append((parts[1], None, uploads))
        elif len(parts) == 3 and parts[0] == "worker" and parts[2] in WORKER_DOCS:
            worker = workers.get(int(parts[1])) if parts[1].isdigit() else None
            if worker is None:
                messages.error(request, _("职工不在抽中名单中"))
                return _back(review)
            items.append((parts[2], worker, uploads))
    if not items:
        messages.error(request, _("请选择要上传的文件"))
        return _back(review)
    try:
        stored = services.upload_documents(actor=request.user, review=review, items=items)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("已上传 %(n)d 个文件。") % {"n": len(stored)})
    return redirect(reverse("written_review:review", args=[review.pk]) + "#checklist")


def _document(request, pk):
    return get_object_or_404(
        selectors.visible_documents(request.user).select_related("review"), pk=pk
    )


@role_required(*STAFF, Role.EMPLOYER)
def document_download(request, pk):
    document = _document(request, pk)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )


@role_required(Role.EMPLOYER)
@require_POST
def document_delete(request, pk):
    document = _document(request, pk)
    _owner(request, document.review)
    try:
        services.delete_document(actor=request.user, document=document)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("已删除“%(name)s”。") % {"name": document.original_name})
    return redirect(reverse("written_review:review", args=[document.review_id]) + "#checklist")


def _act(request, review, action, success):
    try:
        action()
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, success)
    return _back(review)


@role_required(Role.EMPLOYER)
@require_POST
def submit(request, pk):
    review = _owner(request, _review(request, pk))
    return _act(
        request,
        review,
        lambda: services.submit(actor=request.user, review=review),
        _("已提交申报，等待监察机构审查。"),
    )


@role_required(*WRITERS)
@require_POST
def notify_one(request, pk):
    review = _writer(request, _review(request, pk))
    return _act(
        request,
        review,
        lambda: services.notify_review(actor=request.user, review=review),
        _("已发出书面审查通知。"),
    )


@role_required(*WRITERS)
@require_POST
def return_declaration(request, pk):
    review = _writer(request, _review(request, pk))
    form = forms.ReturnForm(request.POST)
    reasons = form.data.get("reasons", "")
    return _act(
        request,
        review,
        lambda: services.return_declaration(actor=request.user, review=review, reasons=reasons),
        _("已退回补正，单位须在 5 个工作日内重新提交。"),
    )


@role_required(*WRITERS)
@require_POST
def findings(request, pk):
    review = _writer(request, _review(request, pk))
    form = forms.FindingsForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    return _act(
        request,
        review,
        lambda: services.save_findings(
            actor=request.user,
            review=review,
            findings={a: data.get(a, "") for a, _l, _f in review.findings()},
            opinion=data.get("opinion", ""),
        ),
        _("已保存审查判断。"),
    )


@role_required(*WRITERS)
@require_POST
def problem_add(request, pk):
    review = _writer(request, _review(request, pk))
    form = forms.ProblemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请完整填写问题、法律依据和处理方式"))
        return _back(review)
    return _act(
        request,
        review,
        lambda: services.add_problem(actor=request.user, review=review, **form.cleaned_data),
        _("已加入问题清单。"),
    )


def _problem(request, pk):
    return get_object_or_404(selectors.visible_problems(request.user), pk=pk)


@role_required(*WRITERS)
@require_POST
def problem_delete(request, pk):
    problem = _problem(request, pk)
    return _act(
        request,
        problem.review,
        lambda: services.delete_problem(actor=request.user, problem=problem),
        _("已从问题清单中删除。"),
    )


@role_required(*WRITERS)
@require_POST
def propose(request, pk):
    review = _writer(request, _review(request, pk))
    result = request.POST.get("result", "")
    return _act(
        request,
        review,
        lambda: services.propose(actor=request.user, review=review, result=result),
        _("已提出审查意见，等待监察机构负责人审批。"),
    )


@role_required(Role.SUPERVISOR)
@require_POST
def decide(request, pk):
    review = _review(request, pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审批结果"))
        return _back(review)
    approve = form.cleaned_data["decision"] == "approve"
    return _act(
        request,
        review,
        lambda: services.decide(
            actor=request.user, review=review, approve=approve, note=form.cleaned_data["note"]
        ),
        _("已审批，审查结果和问题清单已推送给被审查单位。") if approve else _("已退回重审。"),
    )


@role_required(*STAFF, Role.EMPLOYER)
def suggestion_pdf(request, pk):
    review = _review(request, pk)
    if not review.suggestion_no or review.status not in (
        ReviewStatus.APPROVED,
        ReviewStatus.CLOSED,
    ):
        raise Http404
    if not review.suggestion_file:
        documents.store_suggestion(review.pk)  # the job has not run (yet): one page, made now
        review.refresh_from_db()
    return FileResponse(
        review.suggestion_file.open("rb"),
        as_attachment=False,
        filename=f"处理建议书-{review.employer.uscc}.pdf",
        content_type="application/pdf",
    )


@role_required(*WRITERS)
@require_POST
def problem_case(request, pk):
    problem = _problem(request, pk)
    case_no = request.POST.get("case_no", "")
    return _act(
        request,
        problem.review,
        lambda: services.file_case(actor=request.user, problem=problem, case_no=case_no),
        _("已立案，违法行为记录已更正为该案件编号。"),
    )


@role_required(Role.EMPLOYER)
@require_POST
def problem_report(request, pk):
    problem = _problem(request, pk)
    _owner(request, problem.review)
    return _act(
        request,
        problem.review,
        lambda: services.report_rectification(
            actor=request.user,
            problem=problem,
            text=request.POST.get("text", ""),
            uploads=request.FILES.getlist("files"),
        ),
        _("已报告整改情况，等待监察员核验。"),
    )


@role_required(*WRITERS)
@require_POST
def report_decide(request, pk):
    report = get_object_or_404(
        RectificationReport.objects.filter(
            problem__in=selectors.visible_problems(request.user).values("pk")
        ),
        pk=pk,
    )
    form = forms.ReportDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择核验结果"))
        return _back(report.problem.review)
    accept = form.cleaned_data["decision"] == "accept"
    return _act(
        request,
        report.problem.review,
        lambda: services.decide_rectification(
            actor=request.user, report=report, accept=accept, note=form.cleaned_data["note"]
        ),
        _("已核验。"),
    )


@role_required(*WRITERS)
@require_POST
def problem_unrectified(request, pk):
    problem = _problem(request, pk)
    return _act(
        request,
        problem.review,
        lambda: services.mark_unrectified(actor=request.user, problem=problem),
        _("已标记为逾期未整改，违法行为记录已更正。"),
    )


@role_required(*WRITERS)
@require_POST
def late_order(request, pk):
    review = _writer(request, _review(request, pk))
    form = forms.LateOrderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写有效的限期申报日期"))
        return _back(review)
    return _act(
        request,
        review,
        lambda: services.issue_late_order(actor=request.user, review=review, **form.cleaned_data),
        _("已责令限期申报。"),
    )


@role_required(*WRITERS)
@require_POST
def obstruction(request, pk):
    review = _writer(request, _review(request, pk))
    form = forms.ObstructionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写发生日期和情况"))
        return _back(review)
    return _act(
        request,
        review,
        lambda: services.record_obstruction(actor=request.user, review=review, **form.cleaned_data),
        _("已记录无理抗拒、阻挠劳动保障监察的信用记录。"),
    )
