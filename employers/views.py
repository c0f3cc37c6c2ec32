from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .choices import Role
from .forms import EmployerFilterForm, EmployerForm, ImportUploadForm
from .paging import keyset_page
from .panels import panels_for
from .permissions import role_required
from .resources import EMPLOYER_COLUMNS
from .selectors import (
    search_employers,
    searched_order,
    visible_employers,
    visible_jurisdictions,
)
from .services import save_employer, start_import

REGISTRY_READERS = (Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER, Role.AUDITOR, Role.SYSADMIN)
REGISTRY_WRITERS = (Role.INSPECTOR, Role.SUPERVISOR)


@login_required
def home(request):
    user = request.user
    if user.role == Role.EMPLOYER:
        return redirect("publication:employer_home")
    # The workbench: what waits for this user, soonest due first (issue 11 item 2).
    from .workbench import workbench_for

    today = timezone.localdate()
    queues = workbench_for(user, today)
    return render(
        request,
        "home.html",
        {
            "queues": queues,
            "waiting": sum(q.count for q in queues),
            "today": today,
        },
    )


class LoginView(auth_views.LoginView):
    """Django's login, plus the known-device cookie that exempts this browser from a lock a
    stranger put on the user name (employers.login_throttle)."""

    def form_valid(self, form):
        from .login_throttle import remember_device

        response = super().form_valid(form)
        remember_device(self.request, response, form.get_user().get_username())
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"

    def form_valid(self, form):
        from audit.services import write_audit

        response = super().form_valid(form)
        user = form.user
        write_audit(
            actor=user,
            action="accounts.password_changed",
            obj=user,
            jurisdiction_path=user.jurisdiction.path if user.jurisdiction_id else "",
            note=_("本人修改密码"),
        )
        return response


def filtered_employers(user, params):
    """The list page's filter form for ``params`` (a QueryDict) and the employers it shows
    ``user`` (the user's scope, narrowed by the form), ordered as on the page; the background
    export (``export_jobs``) reads the same selection."""
    employers = visible_employers(user)
    from .listing import grade_source

    searched = False
    form = EmployerFilterForm(params or None)
    jurisdictions = visible_jurisdictions(user)
    form.fields["jurisdiction"].queryset = jurisdictions
    form.fields["street"].queryset = jurisdictions.filter(level="street").order_by("path")
    source = grade_source() if user.role != Role.SYSADMIN else None
    if source is not None:
        form.fields["ruleset"].choices = [("", _("全部"))] + source.choices(user)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            employers = search_employers(employers, q)
            searched = bool(q)
        if data["jurisdiction"]:
            ids = list(data["jurisdiction"].subtree().values_list("pk", flat=True))
            employers = employers.filter(Q(jurisdiction_id__in=ids) | Q(street_id__in=ids))
        if data["kind"]:
            employers = employers.filter(kind=data["kind"])
        if data["industry"]:
            employers = employers.filter(industry=data["industry"])
        if data["street"]:
            employers = employers.filter(street=data["street"])
        if source is not None and (data["grade"] or data["ruleset"]):
            employers = source.filter(employers, data["grade"], data["ruleset"])
    order = searched_order(employers, "name", "pk", searched=searched)
    # A broad search is listed in registration order (the page says so: _broad_order_note.html);
    # the count the ordering found is the page's.
    form.search_total = getattr(order, "total", None)
    return form, employers.order_by(*order)


@role_required(*REGISTRY_READERS)
def employer_list(request):
    from .listing import grade_source

    form, employers = filtered_employers(request.user, request.GET)
    # Counted exactly only when small: a registry of a million (or a search matching most of
    # it) is not counted on every view; the page then shows "约 N 家".
    page = keyset_page(request, employers, 25, total=form.search_total)
    source = grade_source()
    # 三员分立: the sysadmin sees the registry, not the grades.
    show_grades = source is not None and request.user.role != Role.SYSADMIN
    if show_grades:
        grades = source.grades([e.pk for e in page])
        for e in page:
            e.list_grades = grades.get(e.pk, [])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "employers/employer_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_write": request.user.has_role(*REGISTRY_WRITERS),
            "show_grades": show_grades,
            "quick_grades": ("D", "C") if show_grades else (),
            "scope": request.user.jurisdiction,
        },
    )


@login_required
def employer_detail(request, pk):
    employer = get_object_or_404(visible_employers(request.user), pk=pk)
    if request.user.role == Role.SYSADMIN:
        panels = []  # 三员分立: the sysadmin sees the registry entry only
    else:
        panels = panels_for(request, employer)
    return render(
        request,
        "employers/employer_detail.html",
        {
            "employer": employer,
            "panels": panels,
            "can_write": request.user.has_role(*REGISTRY_WRITERS),
            "show_personal": request.user.role != Role.EMPLOYER
            or request.user.employer_id == employer.pk,
        },
    )


@login_required
def my_employer(request):
    if request.user.role != Role.EMPLOYER or not request.user.employer_id:
        raise Http404
    return employer_detail(request, request.user.employer_id)


@role_required(*REGISTRY_WRITERS)
@require_http_methods(["GET", "POST"])
def employer_edit(request, pk=None):
    jurisdictions = visible_jurisdictions(request.user)
    employer = get_object_or_404(visible_employers(request.user), pk=pk) if pk else None
    form = EmployerForm(request.POST or None, instance=employer, jurisdictions=jurisdictions)
    if request.method == "POST" and form.is_valid():
        saved = save_employer(employer=form.save(commit=False), actor=request.user)
        messages.success(request, _("已保存“%(name)s”。") % {"name": saved.name})
        return redirect("employers:detail", pk=saved.pk)
    return render(request, "employers/employer_form.html", {"form": form, "employer": employer})


@role_required(*REGISTRY_WRITERS)
@require_http_methods(["GET", "POST"])
def employer_import(request):
    """Upload → check in the background (a full dry run, with progress) → confirm → write in
    the background (employers.import_jobs). Nothing is written before the confirm."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = start_import(kind="employers", upload=form.cleaned_data["file"], actor=request.user)
        return redirect("imports:job", pk=job.pk)
    return render(
        request,
        "employers/import_upload.html",
        {"form": form, "columns": EMPLOYER_COLUMNS},
    )


EMPLOYER_SEARCH_LIMIT = 20


@role_required(*REGISTRY_READERS)
def employer_search(request):
    """Employers matching a name or the start of a USCC, for the pickers that fill a USCC field
    (issue 11 item 4: the employer is picked from a search, not typed). At most 20, in scope."""
    from django.http import JsonResponse

    text = (request.GET.get("q") or "").strip()
    if len(text) < 2:
        return JsonResponse({"results": []})
    employers = search_employers(visible_employers(request.user), text)
    order = searched_order(employers, "name", "pk")
    rows = employers.order_by(*order).values_list("uscc", "name")[:EMPLOYER_SEARCH_LIMIT]
    return JsonResponse({"results": [{"uscc": uscc, "name": name} for uscc, name in rows]})
