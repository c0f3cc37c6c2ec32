"""Pages of the exchange app. Every page is scoped (see ``selectors``); writes go through
``services`` / ``tokens``."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from employers.choices import Role
from employers.network import client_ip
from employers.paging import keyset_page
from employers.permissions import role_required
from employers.selectors import search_employers, searched_order
from grading.choices import CycleStatus

from . import ratelimit, selectors, services, tokens
from .choices import ReplyStatus
from .forms import (
    ApiCallFilterForm,
    ConsultationForm,
    ListSearchForm,
    ObjectionForm,
    ReplyForm,
    TokenForm,
    VerifyForm,
)
from .models import (
    Certificate,
    ConsultationObjection,
    ConsultationReply,
    DistributionFile,
    PartnerToken,
)

# --- partner tokens (the sysadmin: account administration, not credit data) ---------------------


@role_required(Role.SYSADMIN)
@require_http_methods(["GET", "POST"])
def token_list(request):
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, raw = tokens.create_token(
                name=data["name"],
                department=data["department"],
                jurisdiction=data["jurisdiction"],
                days=data["days"],
                actor=request.user,
            )
        except tokens.TokenError as exc:
            form.add_error("name", str(exc))
        else:
            created = {"token": token, "raw": raw}
            form = TokenForm()
    listed = PartnerToken.objects.select_related("jurisdiction", "created_by", "revoked_by")
    page = Paginator(listed.order_by("-created_at", "-id"), 25).get_page(request.GET.get("page"))
    response = render(
        request, "exchange/tokens.html", {"form": form, "page": page, "created": created}
    )
    response["Cache-Control"] = "no-store"  # the page that shows a new token, once
    return response


@role_required(Role.SYSADMIN)
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(PartnerToken, pk=pk)
    try:
        tokens.revoke_token(token=token, actor=request.user)
    except tokens.TokenError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("令牌“%(name)s”已吊销。") % {"name": token.name})
    return redirect("exchange:tokens")


# --- the API's call log (the auditor) ----------------------------------------------------------


@role_required(Role.AUDITOR)
def api_calls(request):
    calls = selectors.visible_api_calls(request.user)
    form = ApiCallFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["token"]:
            calls = calls.filter(token_name__icontains=data["token"].strip())
        if data["uscc"]:
            calls = calls.filter(uscc=data["uscc"].strip().upper())
        if data["status"]:
            calls = calls.filter(status=data["status"])
        if data["date_from"]:
            calls = calls.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            calls = calls.filter(at__date__lte=data["date_to"])
    # Every call is logged (a busy partner: millions a year): keyset pages, estimated count.
    page = keyset_page(request, calls.order_by("-at", "-id"), 50)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "exchange/api_calls.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_GET
def api_docs(request):
    """For partner developers: how to call the API, in Chinese (public, no login)."""
    from .api import PublishedItemOut

    return render(
        request,
        "exchange/api_docs.html",
        {
            "rate": settings.EXCHANGE_API_RATE_PER_MINUTE,
            "base": request.build_absolute_uri("/api/v1/"),
            "item_fields": [
                (name, field.description or "")
                for name, field in PublishedItemOut.model_fields.items()
            ],
        },
    )


# --- consultation ------------------------------------------------------------------------------

STAFF = selectors.CONSULTATION_READERS


@role_required(*STAFF, Role.CONSULTEE)
def consultations(request):
    user = request.user
    if user.role == Role.CONSULTEE:
        unit = selectors.unit_of(user)
        replies = (
            ConsultationReply.objects.filter(unit=unit)
            .select_related("consultation__cycle__jurisdiction", "unit")
            .order_by("-consultation__sent_at", "-pk")
            if unit
            else ConsultationReply.objects.none()
        )
        page = Paginator(replies, 25).get_page(request.GET.get("page"))
        return render(request, "exchange/consultee_list.html", {"page": page, "unit": unit})
    listed = selectors.visible_consultations(user).annotate(
        units=Count("replies", distinct=True),
        answered=Count("replies", filter=~Q(replies__status=ReplyStatus.PENDING), distinct=True),
    )
    page = Paginator(listed.order_by("-sent_at", "-pk"), 25).get_page(request.GET.get("page"))
    return render(request, "exchange/consultations.html", {"page": page})


@role_required(Role.PUBLISHER)
@require_POST
def consultation_send(request, pk):
    from publication.selectors import visible_cycles

    cycle = get_object_or_404(visible_cycles(request.user), pk=pk)
    form = ConsultationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写有效的答复期限"))
    else:
        try:
            consultation = services.send_consultation(
                cycle=cycle,
                actor=request.user,
                reply_by=form.cleaned_data["reply_by"],
                message=form.cleaned_data["message"],
            )
        except services.ExchangeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("已向 %(n)d 个单位征求意见。") % {"n": consultation.replies.count()},
            )
    return redirect("publication:cycle_detail", pk=cycle.pk)


@role_required(*STAFF)
def consultation_detail(request, pk):
    consultation = get_object_or_404(selectors.visible_consultations(request.user), pk=pk)
    replies = consultation.replies.select_related("unit", "answered_by")
    objections = ConsultationObjection.objects.filter(
        reply__consultation=consultation, reply__status=ReplyStatus.OBJECTIONS
    ).select_related("reply__unit", "employer")
    page = Paginator(objections.order_by("name", "reply__unit__name", "pk"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "exchange/consultation_detail.html",
        {
            "consultation": consultation,
            "cycle": consultation.cycle,
            "replies": replies,
            "page": page,
            "blocker": services.consultation_blocker(consultation.cycle, _today())
            if consultation.cycle.status in services.CONSULTABLE
            else None,
        },
    )


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _own_reply(request, pk) -> ConsultationReply:
    unit = selectors.unit_of(request.user)
    if unit is None:
        raise PermissionDenied
    return get_object_or_404(
        ConsultationReply.objects.select_related("consultation__cycle__jurisdiction", "unit"),
        pk=pk,
        unit=unit,
    )


def _proposed_rows(cycle, form):
    """The proposed list of the cycle, paged in the database: final grade = an approved
    override's, else the computed one (``grading.selectors``)."""
    from grading.selectors import cycle_grades

    grades = cycle_grades(cycle).exclude(grade="").select_related("employer")
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:  # the indexed name / USCC search (employers.selectors)
            grades = search_employers(grades, q, employer_field="employer")
        if form.cleaned_data["grade"]:
            grades = grades.filter(grade=form.cleaned_data["grade"])
        if q:
            return grades.order_by(*searched_order(grades, "employer__name", "pk"))
    return grades.order_by("employer__name", "pk")


@role_required(Role.CONSULTEE)
def reply(request, pk):
    from grading.models import Grade
    from grading.selectors import approved_overrides

    reply = _own_reply(request, pk)
    cycle = reply.consultation.cycle
    form = ListSearchForm(request.GET or None)
    page = keyset_page(request, _proposed_rows(cycle, form), 50)
    grades = list(page)
    overrides = approved_overrides(Grade.objects.filter(pk__in=[g.pk for g in grades]))
    objections = {o.employer_id: o for o in reply.objections.all()}
    rows = [
        {
            "grade": g,
            "final": overrides[g.pk].proposed_grade if g.pk in overrides else g.grade,
            "objection": objections.get(g.employer_id),
        }
        for g in grades
    ]
    editing = None
    wanted = request.GET.get("object")
    if wanted and wanted.isdigit() and reply.status == ReplyStatus.PENDING:
        from grading.selectors import cycle_grades

        editing = cycle_grades(cycle).select_related("employer").filter(pk=int(wanted)).first()
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("object", None)
    open_for_answers = reply.status == ReplyStatus.PENDING and cycle.status in services.CONSULTABLE
    return render(
        request,
        "exchange/reply.html",
        {
            "reply": reply,
            "consultation": reply.consultation,
            "cycle": cycle,
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "objections": reply.objections.order_by("name", "pk"),
            "editing": editing,
            "objection_form": ObjectionForm(initial={"grade": editing.pk}) if editing else None,
            "reply_form": ReplyForm(),
            "open": open_for_answers,
            "late": _today() > reply.consultation.reply_by,
        },
    )


@role_required(Role.CONSULTEE)
@require_POST
def reply_object(request, pk):
    from grading.models import Grade

    reply = _own_reply(request, pk)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写意见和理由"))
        return redirect("exchange:reply", pk=reply.pk)
    grade = Grade.objects.select_related("employer").filter(pk=form.cleaned_data["grade"]).first()
    if grade is None:
        raise Http404
    try:
        services.add_objection(
            reply=reply, grade=grade, reason=form.cleaned_data["reason"], actor=request.user
        )
    except services.ExchangeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已记录对“%(name)s”的意见。") % {"name": grade.employer.name})
    return redirect("exchange:reply", pk=reply.pk)


@role_required(Role.CONSULTEE)
@require_POST
def objection_delete(request, pk):
    unit = selectors.unit_of(request.user)
    objection = get_object_or_404(
        ConsultationObjection.objects.select_related("reply"), pk=pk, reply__unit=unit
    )
    try:
        services.remove_objection(objection=objection, actor=request.user)
    except services.ExchangeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已删除该意见。"))
    return redirect("exchange:reply", pk=objection.reply_id)


@role_required(Role.CONSULTEE)
@require_POST
def reply_submit(request, pk):
    reply = _own_reply(request, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择答复意见"))
        return redirect("exchange:reply", pk=reply.pk)
    try:
        services.submit_reply(
            reply=reply,
            actor=request.user,
            no_objection=form.cleaned_data["verdict"] == "no_objection",
            note=form.cleaned_data["note"],
        )
    except services.ExchangeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已提交答复。"))
    return redirect("exchange:reply", pk=reply.pk)


# --- certificates ------------------------------------------------------------------------------


@role_required(Role.EMPLOYER)
def certificates(request):
    from .panels import employer_panel

    employer = request.user.employer
    panel = employer_panel(request, employer) or {"employer": employer}
    return render(request, "exchange/certificates.html", {"panel": panel})


@role_required(Role.EMPLOYER)
@require_POST
def certificate_issue(request, pk):
    result = get_object_or_404(selectors.employer_results(request.user.employer), pk=pk)
    try:
        certificate = services.issue_certificate(result=result, actor=request.user)
    except services.ExchangeError as exc:
        messages.error(request, str(exc))
        return redirect("exchange:certificates")
    return redirect("exchange:certificate_pdf", pk=certificate.pk)


@role_required(Role.EMPLOYER)
def certificate_pdf(request, pk):
    from .certificates import certificate_pdf as make_pdf

    certificate = get_object_or_404(
        Certificate.objects.select_related("result__cycle__jurisdiction", "adjustment"),
        pk=pk,
        employer_id=request.user.employer_id,
    )
    verify_url = request.build_absolute_uri(
        reverse("exchange:verify_code", args=[certificate.code])
    )
    verify_page = request.build_absolute_uri(reverse("exchange:verify"))
    pdf = make_pdf(certificate, verify_url=verify_url, verify_page=verify_page)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"等级证明-{certificate.result.year}-{certificate.result.uscc}.pdf"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    response["Cache-Control"] = "no-store"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def _verify_limited(request):
    # The client behind the reverse proxy (REMOTE_ADDR there is the proxy, the same for everyone).
    address = client_ip(request) or "unknown"
    wait = ratelimit.hit(f"verify:{address}", settings.EXCHANGE_VERIFY_RATE_PER_MINUTE)
    if wait is None:
        return None
    response = render(request, "exchange/verify.html", {"limited": wait, "form": VerifyForm()})
    response.status_code = 429
    response["Retry-After"] = str(wait)
    return response


def _verification(request, raw_code):
    code = services.normalize_code(raw_code)
    limited = _verify_limited(request)
    if limited is not None:
        return limited
    certificate = selectors.certificate_by_code(code) if code else None
    context = {"form": VerifyForm(initial={"code": raw_code}), "asked": raw_code}
    if certificate is None:
        context["not_found"] = True
        response = render(request, "exchange/verify.html", context)
        response.status_code = 404
        return response
    facts = selectors.grade_facts(certificate.result)
    stated_current = facts.grade == certificate.grade and (
        facts.latest_adjustment is None or certificate.adjustment_id == facts.latest_adjustment.pk
    )
    later = [
        a
        for a in facts.adjustments
        if certificate.adjustment is None
        or (a.effective_date, a.pk)
        > (certificate.adjustment.effective_date, certificate.adjustment.pk)
    ]
    context.update(
        certificate=certificate,
        facts=facts,
        result=certificate.result,
        code=services.format_code(certificate.code),
        stated_current=stated_current,
        later_adjustments=later,
        valid_now=facts.valid_on(_today()),
        stated_label=_grade_label(certificate),
    )
    return render(request, "exchange/verify.html", context)


def _grade_label(certificate) -> str:
    from grading.selectors import grade_label

    r = certificate.result
    return str(grade_label(r.ruleset_code, certificate.grade, r.ruleset_version))


@require_GET
def verify(request):
    """The public verification page (no login): a code typed in, or none yet."""
    raw = request.GET.get("code", "").strip()
    if not raw:
        return render(request, "exchange/verify.html", {"form": VerifyForm()})
    return _verification(request, raw)


@require_GET
def verify_code(request, code):
    """The address in the certificate's QR code."""
    return _verification(request, code)


# --- distribution files (the publisher) --------------------------------------------------------


@role_required(Role.PUBLISHER)
def distribution(request, pk):
    from publication.selectors import visible_cycles

    cycle = get_object_or_404(visible_cycles(request.user), pk=pk, status=CycleStatus.PUBLISHED)
    jobs = selectors.visible_distribution_jobs(request.user).filter(cycle=cycle)
    job = jobs.order_by("-created_at", "-id").first()
    done = jobs.filter(status="done").order_by("-created_at", "-id").first()
    files = (
        DistributionFile.objects.filter(job=done).order_by("department", "format") if done else []
    )
    return render(
        request,
        "exchange/distribution.html",
        {"cycle": cycle, "job": job, "done_job": done, "files": files},
    )


@role_required(Role.PUBLISHER)
@require_POST
def distribution_remake(request, pk):
    from publication.selectors import visible_cycles

    cycle = get_object_or_404(visible_cycles(request.user), pk=pk)
    try:
        services.remake_distribution(cycle=cycle, actor=request.user)
    except services.ExchangeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("抄送文件正在重新生成。"))
    return redirect("exchange:distribution", pk=cycle.pk)


@role_required(Role.PUBLISHER)
def distribution_progress(request, pk):
    job = get_object_or_404(selectors.visible_distribution_jobs(request.user), pk=pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "step": job.step,
            "error": job.error,
            "finished": job.status in ("done", "failed"),
        }
    )


@role_required(Role.PUBLISHER)
def distribution_file(request, pk):
    record = get_object_or_404(
        DistributionFile.objects.filter(job__in=selectors.visible_distribution_jobs(request.user)),
        pk=pk,
    )
    name = record.file.name.rsplit("/", 1)[-1]
    return FileResponse(record.file.open("rb"), as_attachment=True, filename=name)
