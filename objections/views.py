from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from credit_records.choices import RecordKind
from credit_records.models import CreditRecord
from employers.choices import Role
from employers.permissions import role_required

from . import grading_bridge, selectors, services, workflow
from .checks import calendar_warnings
from .choices import OPEN_STATUSES, Action, ObjectionKind
from .eligibility import NOT_REPAIRABLE_HERE, period_table, policy_for
from .forms import (
    CALENDAR_FIRST_YEAR,
    CALENDAR_LAST_YEAR,
    CalendarYearForm,
    DecisionForm,
    ObjectionForm,
    RepairDecisionForm,
    RepairForm,
    format_day_lines,
)
from .models import CalendarDay, CalendarYear, CaseAttachment, Notification, Objection

STAFF = (Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER, Role.AUDITOR)

# --------------------------------------------------------------------------------------------
# Working-day calendar (SPEC §6) — the sysadmin enters each year's State Council notice
# --------------------------------------------------------------------------------------------


@role_required(Role.SYSADMIN, *STAFF)
@require_http_methods(["GET", "POST"])
def calendar_list(request, year=None):
    can_edit = request.user.role == Role.SYSADMIN
    if year is not None and not CALENDAR_FIRST_YEAR <= year <= CALENDAR_LAST_YEAR:
        return _calendar_year_out_of_range(request, year, can_edit)
    initial = {}
    if year is not None:
        days = CalendarDay.objects.filter(date__year=year)
        entry = CalendarYear.objects.filter(year=year).first()
        initial = {
            "year": year,
            "notice_reference": entry.notice_reference if entry else "",
            "holidays": format_day_lines(days.filter(is_workday=False)),
            "makeup_workdays": format_day_lines(days.filter(is_workday=True)),
        }
    else:
        days = CalendarDay.objects.none()
        latest = CalendarYear.objects.filter(loaded=True).first()
        initial = {"year": (latest.year + 1) if latest else timezone.localdate().year}
    form = CalendarYearForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_edit:
            return redirect("objections:calendar")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.enter_calendar_year(
                    actor=request.user,
                    year=data["year"],
                    notice_reference=data["notice_reference"],
                    holidays=data["holidays"],
                    makeup_workdays=data["makeup_workdays"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("已录入%(year)s年节假日安排，相关期限已重新计算。") % {"year": data["year"]},
                )
                return redirect("objections:calendar_year", year=data["year"])
    return _calendar_page(request, year=year, days=days, form=form, can_edit=can_edit)


def _calendar_year_out_of_range(request, year: int, can_edit: bool):
    """/objections/calendar/0/, /99999/…: the calendar page with a clear message, as a 404."""
    shown = str(year) if len(str(year)) <= 12 else f"{str(year)[:12]}…"
    error = _("没有%(year)s年的工作日历：工作日历的年份应在 %(first)d 至 %(last)d 年之间。") % {
        "year": shown,
        "first": CALENDAR_FIRST_YEAR,
        "last": CALENDAR_LAST_YEAR,
    }
    latest = CalendarYear.objects.filter(loaded=True).first()
    form = CalendarYearForm(
        initial={"year": (latest.year + 1) if latest else timezone.localdate().year}
    )
    return _calendar_page(
        request,
        year=None,
        days=CalendarDay.objects.none(),
        form=form,
        can_edit=can_edit,
        year_error=error,
        status=404,
    )


def _calendar_page(request, *, year, days, form, can_edit, year_error="", status=200):
    return render(
        request,
        "objections/calendar.html",
        {
            "year_error": year_error,
            "years": CalendarYear.objects.select_related("entered_by"),
            "year": year,
            "days": days.order_by("date"),
            "form": form,
            "can_edit": can_edit,
            "warnings": calendar_warnings(timezone.localdate()),
        },
        status=status,
    )


# --------------------------------------------------------------------------------------------
# Objections and repair applications
# --------------------------------------------------------------------------------------------

HANDLER_ROLES = (Role.INSPECTOR, Role.SUPERVISOR)


def _page(request, queryset, per_page=25):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _queue(request, *, queryset, title, repair=False):
    today = timezone.localdate()
    tab = request.GET.get("tab", "open")
    lists = {
        "open": selectors.open_queue(queryset),
        "overdue": selectors.overdue(queryset, today),
        "soon": selectors.due_soon(queryset, today),
        "approval": selectors.awaiting_approval(queryset),
        "closed": queryset.exclude(status__in=OPEN_STATUSES).order_by("-closed_on", "-pk"),
    }
    if tab not in lists:
        tab = "open"
    counts = {name: qs.count() for name, qs in lists.items() if name != "closed"}
    return render(
        request,
        "objections/queue.html",
        {
            "page": _page(request, lists[tab]),
            "tab": tab,
            "counts": counts,
            "today": today,
            "title": title,
            "query": f"tab={tab}",
            "repair": repair,
        },
    )


@role_required(*HANDLER_ROLES)
def queue(request):
    """The inspector's and supervisor's objection queue, in their jurisdiction, by due date."""
    return _queue(request, queryset=selectors.visible_objections(request.user), title=_("异议处理"))


@role_required(*HANDLER_ROLES)
def repair_queue(request):
    return _queue(
        request, queryset=selectors.visible_repairs(request.user), title=_("信用修复"), repair=True
    )


@role_required(Role.EMPLOYER)
def mine(request):
    user = request.user
    notifications = list(selectors.unread_notifications(user)[:20])
    return render(
        request,
        "objections/mine.html",
        {
            "objections": selectors.visible_objections(user),
            "repairs": selectors.visible_repairs(user),
            "notifications": notifications,
            "today": timezone.localdate(),
        },
    )


def _employer_records(user):
    return (
        CreditRecord.objects.effective()
        .filter(employer_id=user.employer_id)
        .order_by("-date", "-pk")
    )


@role_required(Role.EMPLOYER)
@require_http_methods(["GET", "POST"])
def objection_new(request):
    user = request.user
    employer = user.employer
    grades = grading_bridge.disputable_grades(
        employer, kind=ObjectionKind.GRADE
    ) + grading_bridge.disputable_grades(employer, kind=ObjectionKind.RE_EVALUATION)
    initial = {
        "kind": request.GET.get("kind", ObjectionKind.RECORD),
        "record": request.GET.get("record"),
        "grade": request.GET.get("grade"),
    }
    form = ObjectionForm(
        request.POST or None,
        request.FILES or None,
        records=_employer_records(user),
        grades=grades,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            objection = services.file_objection(
                actor=user,
                employer=employer,
                kind=data["kind"],
                ground=data["ground"],
                reasons=data["reasons"],
                record=data.get("record"),
                grade_id=data.get("grade"),
                attachments=data["attachments"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("异议已提交，编号 %(pk)s。") % {"pk": objection.pk})
            return redirect("objections:detail", pk=objection.pk)
    return render(request, "objections/objection_form.html", {"form": form})


@role_required(Role.EMPLOYER)
@require_http_methods(["GET", "POST"])
def repair_new(request):
    user = request.user
    employer = user.employer
    form = RepairForm(
        request.POST or None,
        request.FILES or None,
        records=_employer_records(user),
        initial={"record": request.GET.get("record")},
    )
    eligibility = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        eligibility = services.check_repair_eligibility(
            record=data["record"],
            corrected_on=data["corrected_on"],
            commitment_signed=data["commitment_signed"],
        )
        if "check" not in request.POST:
            try:
                application = services.apply_for_repair(
                    actor=user,
                    employer=employer,
                    record=data["record"],
                    corrected_on=data["corrected_on"],
                    commitment_signed=data["commitment_signed"],
                    reasons=data["reasons"],
                    attachments=data["attachments"],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request, _("信用修复申请已提交，编号 %(pk)s。") % {"pk": application.pk}
                )
                return redirect("objections:repair_detail", pk=application.pk)
    policy = policy_for(timezone.localdate())
    return render(
        request,
        "objections/repair_form.html",
        {
            "form": form,
            "eligibility": eligibility,
            "policy": policy,
            "periods": period_table(policy),
            "not_repairable": [
                (RecordKind(kind).label, text) for kind, text in NOT_REPAIRABLE_HERE.items()
            ],
        },
    )


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _decision_form(case, data=None):
    if not isinstance(case, Objection):
        return DecisionForm(data, prefix="d")
    grades = () if case.kind == ObjectionKind.RECORD else grading_bridge.allowed_new_grades(case)
    return DecisionForm(data, prefix="d", objection=case, grades=grades)


def _detail_context(request, case):
    user = request.user
    actions = workflow.allowed_actions(case, user)
    return {
        "case": case,
        "actions": actions,
        "transitions": case.transitions.select_related("actor"),
        "attachments": case.attachments.all(),
        "is_employer": user.role == Role.EMPLOYER,
        "decision_form": _decision_form(case) if Action.DECIDE in actions else None,
        "today": timezone.localdate(),
    }


@login_required
def objection_detail(request, pk):
    objection = get_object_or_404(selectors.visible_objections(request.user), pk=pk)
    _mark_read(request.user, objection)
    return render(request, "objections/objection_detail.html", _detail_context(request, objection))


@login_required
def repair_detail(request, pk):
    application = get_object_or_404(selectors.visible_repairs(request.user), pk=pk)
    _mark_read(request.user, application)
    context = _detail_context(request, application)
    if Action.DECIDE in context["actions"]:
        context["decision_form"] = RepairDecisionForm(prefix="d")
        context["eligibility_now"] = services.check_repair_eligibility(
            record=application.record,
            corrected_on=application.corrected_on,
            commitment_signed=application.commitment_signed,
            filed_on=application.received_on,
        )
    return render(request, "objections/repair_detail.html", context)


def _mark_read(user, case):
    Notification.objects.filter(
        recipient=user, read_at__isnull=True, url=services.case_url(case)
    ).update(read_at=timezone.now())


@login_required
@require_POST
def objection_act(request, pk, action):
    objection = get_object_or_404(selectors.visible_objections(request.user), pk=pk)
    return _act(request, objection, action)


@login_required
@require_POST
def repair_act(request, pk, action):
    application = get_object_or_404(selectors.visible_repairs(request.user), pk=pk)
    return _act(request, application, action)


def _act(request, case, action):
    user = request.user
    note = request.POST.get("note", "")
    try:
        if action == Action.ACCEPT:
            services.accept(actor=user, case=case, note=note)
        elif action == Action.NEEDS_VERIFICATION:
            services.mark_needs_verification(actor=user, objection=case, note=note)
        elif action == Action.DECIDE:
            if isinstance(case, Objection):
                form = _decision_form(case, request.POST)
                if not form.is_valid():
                    raise ValidationError(
                        [
                            _("%(label)s：%(value)s")
                            % {
                                "label": form.fields[f].label if f in form.fields else "",
                                "value": m,
                            }
                            for f, ms in form.errors.items()
                            for m in ms
                        ]
                    )
                data = form.cleaned_data
                services.decide(
                    actor=user,
                    objection=case,
                    outcome=data["outcome"],
                    reasons=data["reasons"],
                    remedy=data.get("remedy", ""),
                    corrections=form.corrections(),
                    new_grade=data.get("new_grade", ""),
                )
            else:
                form = RepairDecisionForm(request.POST, prefix="d")
                if not form.is_valid():
                    raise ValidationError(_("请选择处理结果并填写理由。"))
                services.decide_repair(
                    actor=user,
                    application=case,
                    outcome=form.cleaned_data["outcome"],
                    reasons=form.cleaned_data["reasons"],
                )
        elif action == Action.APPROVE:
            services.approve_decision(actor=user, case=case, note=note)
        elif action == Action.RETURN:
            services.return_decision(actor=user, case=case, note=note)
        elif action == Action.WITHDRAW:
            services.withdraw(actor=user, case=case, note=note)
        else:
            raise Http404
    except PermissionDenied:
        raise
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已%(action)s。") % {"action": Action(action).label})
    return redirect(services.case_url(case))


@login_required
def attachment_download(request, pk):
    attachment = get_object_or_404(CaseAttachment, pk=pk)
    case = attachment.objection or attachment.repair
    visible = (
        selectors.visible_objections(request.user)
        if attachment.objection_id
        else selectors.visible_repairs(request.user)
    )
    if not visible.filter(pk=case.pk).exists():
        raise Http404
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
