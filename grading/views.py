"""Inspector pages: grade overview, runs with progress, cycle results, manual review, screening,
plaques and exemplary agencies. Views stay thin: reads in selectors/reports, writes in services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from employers.choices import Role
from employers.models import Employer
from employers.paging import keyset_page
from employers.permissions import role_required
from employers.selectors import visible_employers, visible_jurisdictions

from . import reports, rulesets, selectors, services, tasks
from .choices import CycleStatus, GradeLetter, OverrideStatus, RunKind
from .forms import ExemplaryForm, OverrideDecideForm, OverrideProposeForm, RunStartForm
from .models import ExemplaryAgency, Grade, GradeOverride, GradingRun
from .reports import CHECKS

STAFF = (Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER, Role.AUDITOR)
RUNNERS = services.RUN_ROLES
HONOUR_CHOOSERS = (Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER)


def _grading_jurisdictions(user):
    """Visible jurisdictions that grade (have a rule-set assignment)."""
    return visible_jurisdictions(user).filter(ruleset_assignments__isnull=False).distinct()


def _scoped_employers(user, jurisdiction=None):
    employers = visible_employers(user)
    if jurisdiction is not None:
        ids = jurisdiction.subtree().values_list("pk", flat=True)
        employers = employers.filter(Q(jurisdiction_id__in=ids) | Q(street_id__in=ids))
    return employers


def _validation_message(exc: ValidationError) -> str:
    return _("；").join(exc.messages)


# --- overview ---------------------------------------------------------------------------------
@role_required(*STAFF)
def overview(request):
    jurisdictions = list(_grading_jurisdictions(request.user))
    chosen = None
    code = request.GET.get("jurisdiction")
    if code:
        chosen = next((j for j in jurisdictions if j.code == code), None)
    if chosen is None and jurisdictions:
        chosen = jurisdictions[0]
    cycles = list(selectors.visible_cycles(request.user).filter(run__isnull=False))
    if chosen is not None:
        cycles = [c for c in cycles if c.jurisdiction_id == chosen.pk]
    cycle = None
    source = request.GET.get("source", "live")
    if source != "live":
        cycle = next((c for c in cycles if str(c.pk) == source), None)
        source = str(cycle.pk) if cycle else "live"
    employers = _scoped_employers(request.user, chosen)
    distribution = selectors.grade_distribution(employers, cycle=cycle)
    grades = ["A", "B", "C", "D", ""]
    totals = distribution["totals"]
    chart = {
        "grades": [g or str(GradeLetter.UNGRADED.label) for g in grades],
        "keys": grades,
        "by": distribution["by"],
    }
    return render(
        request,
        "grading/overview.html",
        {
            "jurisdictions": jurisdictions,
            "chosen": chosen,
            "cycles": cycles,
            "cycle": cycle,
            "source": source,
            "totals": [(g, totals.get(g, 0)) for g in grades],
            "total": sum(totals.values()),
            "tables": [
                (title, key, _table(distribution["by"][key], grades))
                for title, key in (
                    (_("按乡镇街道"), "street"),
                    (_("按单位类型"), "kind"),
                    (_("按行业"), "industry"),
                )
            ],
            "grade_keys": grades,
            "chart": chart,
            "live_run": selectors.current_live_run(),
        },
    )


def _table(groups: dict, grades: list[str]) -> list[tuple[str, list[int]]]:
    return [(name, [counts.get(g, 0) for g in grades]) for name, counts in groups.items()]


# --- runs -------------------------------------------------------------------------------------
def _visible_runs(user):
    ids = list(visible_jurisdictions(user).values_list("pk", flat=True))
    return GradingRun.objects.filter(Q(jurisdiction_id__in=ids) | Q(jurisdiction__isnull=True))


@role_required(*STAFF)
def runs(request):
    form = None
    if request.user.has_role(*RUNNERS):
        form = RunStartForm(jurisdictions=_grading_jurisdictions(request.user))
    page = Paginator(
        _visible_runs(request.user).select_related("jurisdiction", "started_by"), 20
    ).get_page(request.GET.get("page"))
    return render(request, "grading/runs.html", {"page": page, "form": form})


@role_required(*RUNNERS)
@require_POST
def run_start(request):
    form = RunStartForm(request.POST, jurisdictions=_grading_jurisdictions(request.user))
    if not form.is_valid():
        messages.error(request, _("请检查：%(errors)s") % {"errors": form.errors.as_text()})
        return redirect("grading:runs")
    data = form.cleaned_data
    try:
        run = services.start_run(
            cycle=data["year"] if data["kind"] == RunKind.CYCLE else None,
            as_of=timezone.localdate() if data["kind"] == RunKind.LIVE else None,
            jurisdiction=data["jurisdiction"],
            actor=request.user,
        )
    except services.GradingError as exc:
        messages.error(request, str(exc))
        return redirect("grading:runs")
    transaction.on_commit(lambda: tasks.dispatch_run.delay(run.pk))
    messages.success(request, _("已开始计算：%(run)s") % {"run": run})
    return redirect("grading:run_detail", pk=run.pk)


@role_required(*STAFF)
def run_detail(request, pk):
    run = get_object_or_404(_visible_runs(request.user).select_related("jurisdiction"), pk=pk)
    return render(
        request,
        "grading/run_detail.html",
        {
            "run": run,
            "chunks": run.chunks.all(),
            "cycles": run.cycles.select_related("jurisdiction"),
        },
    )


@role_required(*STAFF)
def run_progress(request, pk):
    run = get_object_or_404(_visible_runs(request.user), pk=pk)
    return JsonResponse(
        {
            "id": run.pk,
            "status": run.status,
            "status_label": run.get_status_display(),
            "chunks_done": run.chunks_done,
            "chunks_total": run.chunks_total,
            "percent": run.progress_percent,
            "employers": run.counts.get("employers"),
            "seconds": run.duration.total_seconds() if run.duration else None,
            "error": run.error,
        }
    )


# --- cycle results ------------------------------------------------------------------------------
@role_required(*STAFF)
def cycle_grades(request, pk):
    cycle = get_object_or_404(selectors.visible_cycles(request.user), pk=pk)
    grades = selectors.cycle_grades(cycle).filter(
        employer__in=_scoped_employers(request.user).values("pk")
    )
    wanted = request.GET.get("grade")
    if wanted in GradeLetter.values:
        grades = grades.filter(grade=wanted)
    overridden = request.GET.get("overridden") == "1"
    if overridden:
        grades = grades.filter(overrides__isnull=False).distinct()
    # A cycle grades every employer (a million): keyset pages and an estimated count (issue 15).
    page = keyset_page(
        request,
        grades.select_related("employer", "employer__street").order_by("employer__name", "pk"),
        50,
    )
    approved = selectors.approved_overrides(Grade.objects.filter(pk__in=[g.pk for g in page]))
    pending = set(
        GradeOverride.objects.filter(
            grade__in=[g.pk for g in page], status=OverrideStatus.PENDING
        ).values_list("grade_id", flat=True)
    )
    rows = [
        {
            "grade": g,
            "final": approved[g.pk].proposed_grade if g.pk in approved else g.grade,
            "overridden": g.pk in approved,
            "pending": g.pk in pending,
            "rules": selectors.rule_explanations(g.rules, g.ruleset_version),
        }
        for g in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "grading/cycle_grades.html",
        {
            "cycle": cycle,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "wanted": wanted,
            "overridden": overridden,
            "grade_choices": rulesets.get(cycle.ruleset_code).grades,
        },
    )


# --- manual review ------------------------------------------------------------------------------
@role_required(Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER, Role.AUDITOR)
def overrides(request):
    status = request.GET.get("status") or OverrideStatus.PENDING
    if status not in OverrideStatus.values:
        status = OverrideStatus.PENDING
    listed = selectors.pending_overrides(request.user).filter(status=status)
    page = Paginator(listed.order_by("-proposed_at", "-id"), 25).get_page(request.GET.get("page"))
    items = [
        {
            "override": o,
            "rules": selectors.rule_explanations(o.grade.rules, o.grade.ruleset_version),
            "can_decide": request.user.has_role(Role.SUPERVISOR)
            and o.status == OverrideStatus.PENDING
            and o.proposed_by_id != request.user.pk,
        }
        for o in page
    ]
    return render(
        request,
        "grading/overrides.html",
        {
            "page": page,
            "items": items,
            "status": status,
            "statuses": OverrideStatus.choices,
            "query": f"status={status}",
            "decide_form": OverrideDecideForm(),
        },
    )


@role_required(Role.INSPECTOR, Role.SUPERVISOR)
@require_POST
def override_propose(request, grade_pk):
    grade = get_object_or_404(
        Grade.objects.filter(employer__in=visible_employers(request.user).values("pk")),
        pk=grade_pk,
    )
    version = rulesets.get(grade.ruleset_code, grade.ruleset_version)
    form = OverrideProposeForm(request.POST, grades=version.grades, rules=version.rules)
    if form.is_valid():
        try:
            services.propose_override(
                actor=request.user,
                grade=grade,
                proposed_grade=form.cleaned_data["proposed_grade"],
                reason=form.cleaned_data["reason"],
                cited_rules=form.cleaned_data["cited_rules"],
            )
            messages.success(request, _("已提出等级调整，待监察机构负责人审批。"))
        except ValidationError as exc:
            messages.error(request, _validation_message(exc))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
    elif "cited_rules" in form.errors:
        messages.error(request, form.errors["cited_rules"][0])
    else:
        messages.error(request, _("请填写调整理由并选择建议等级。"))
    return redirect(reverse("employers:detail", args=[grade.employer_id]) + "#grading-panel")


@role_required(Role.SUPERVISOR)
@require_POST
def override_decide(request, pk):
    override = get_object_or_404(selectors.pending_overrides(request.user), pk=pk)
    form = OverrideDecideForm(request.POST)
    if form.is_valid():
        try:
            services.decide_override(
                actor=request.user,
                override=override,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("已审批。"))
        except ValidationError as exc:
            messages.error(request, _validation_message(exc))
    else:
        messages.error(request, _("请选择批准或驳回。"))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("grading:overrides")  # never off-site (an open redirect)
    return redirect(next_url)


# --- screening ----------------------------------------------------------------------------------
def _year(request, default=None):
    try:
        return int(request.GET.get("year") or default or timezone.localdate().year - 1)
    except ValueError:
        return timezone.localdate().year - 1


@role_required(*STAFF)
def screening(request):
    year = _year(request)
    cycles = list(selectors.visible_cycles(request.user).filter(year=year, run__isnull=False))
    findings = reports.screening(cycles, employers=_scoped_employers(request.user))
    years = sorted(
        set(selectors.visible_cycles(request.user).values_list("year", flat=True)), reverse=True
    )
    sections = [(key, CHECKS[key], findings[key]) for key in CHECKS]
    return render(
        request,
        "grading/screening.html",
        {"year": year, "years": years, "cycles": cycles, "sections": sections},
    )


# --- plaques and exemplary agencies -------------------------------------------------------------
@role_required(*STAFF)
def honours(request):
    year = _year(request)
    cycles = list(selectors.visible_cycles(request.user).filter(year=year, run__isnull=False))
    employers = _scoped_employers(request.user)
    plaques, exemplary = [], []
    can_choose = request.user.has_role(*HONOUR_CHOOSERS)
    for cycle in cycles:
        honours_ = rulesets.get(cycle.ruleset_code).honours
        if "plaque" in honours_:
            plaques.append(reports.plaque_candidates(cycle, employers=employers))
        if "exemplary" in honours_:
            chosen = list(cycle.exemplary.select_related("employer", "chosen_by"))
            chosen_ids = {c.employer_id for c in chosen}
            pool = reports.a_grade_agencies(cycle, employers=employers)
            quota = len(pool) * 5 // 100
            exemplary.append(
                {
                    "cycle": cycle,
                    "chosen": chosen,
                    "pool": [row for row in pool if row.employer.pk not in chosen_ids],
                    "a_count": len(pool),
                    "quota": quota,
                    "can_choose": can_choose
                    and cycle.status != CycleStatus.PUBLISHED
                    and len(chosen) < quota,
                    "can_drop": can_choose and cycle.status != CycleStatus.PUBLISHED,
                }
            )
    years = sorted(
        set(selectors.visible_cycles(request.user).values_list("year", flat=True)), reverse=True
    )
    return render(
        request,
        "grading/honours.html",
        {
            "year": year,
            "years": years,
            "plaques": plaques,
            "exemplary": exemplary,
            "form": ExemplaryForm(),
        },
    )


@role_required(*HONOUR_CHOOSERS)
@require_POST
def exemplary_choose(request, cycle_pk):
    cycle = get_object_or_404(selectors.visible_cycles(request.user), pk=cycle_pk)
    form = ExemplaryForm(request.POST)
    if form.is_valid():
        employer = get_object_or_404(
            visible_employers(request.user), pk=form.cleaned_data["employer"]
        )
        try:
            services.choose_exemplary(
                actor=request.user,
                cycle=cycle,
                employer=employer,
                reason=form.cleaned_data["reason"],
            )
            messages.success(
                request, _("已选树“%(name)s”为诚信机构典型。") % {"name": employer.name}
            )
        except ValidationError as exc:
            messages.error(request, _validation_message(exc))
    else:
        messages.error(request, _("请填写选树原因。"))
    return redirect(f"{reverse('grading:honours')}?year={cycle.year}")


@role_required(*HONOUR_CHOOSERS)
@require_POST
def exemplary_drop(request, pk):
    chosen = get_object_or_404(
        ExemplaryAgency.objects.filter(
            cycle__in=selectors.visible_cycles(request.user),
            employer__in=Employer.objects.filter(
                pk__in=visible_employers(request.user).values("pk")
            ),
        ),
        pk=pk,
    )
    year = chosen.cycle.year
    try:
        services.drop_exemplary(
            actor=request.user, chosen=chosen, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, _validation_message(exc))
    else:
        messages.success(request, _("已取消选树。"))
    return redirect(f"{reverse('grading:honours')}?year={year}")
