"""The employer's home and the public landing page with its search and grade legend (issue 11
items 1 and 7). Views stay thin: ``employer_home`` and ``selectors`` do the reading."""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from employers.choices import Role
from employers.paging import KeysetPaginator
from employers.permissions import role_required
from grading.choices import CycleStatus

from .employer_home import employer_home_context
from .forms import PublicFilterForm
from .models import PublicNotice
from .selectors import grade_legend, public_search, published_cycles
from .services import current_grade


@role_required(Role.EMPLOYER)
def employer_home(request):
    employer = request.user.employer
    if employer is None:
        raise Http404
    return render(request, "publication/employer_home.html", employer_home_context(employer))


def _published_lists() -> list[dict]:
    listing: dict = {}
    for cycle in published_cycles().order_by("jurisdiction__path", "-year"):
        entry = listing.setdefault(
            (cycle.jurisdiction_id, cycle.year),
            {"jurisdiction": cycle.jurisdiction, "year": cycle.year, "published_at": None},
        )
        if entry["published_at"] is None or cycle.published_at > entry["published_at"]:
            entry["published_at"] = cycle.published_at
    return list(listing.values())


def public_index(request):
    """The public landing page (no login): what the system is, a search across every
    jurisdiction and year of the published results with a grade filter, the grade legend of each
    regulation, the proposed lists now in public notice (公示) and the published lists."""
    form = PublicFilterForm(request.GET or None)
    searched = bool(request.GET) and form.is_valid() and form.has_criteria()
    page = None
    rows = []
    query = ""
    if searched:
        data = form.cleaned_data
        results = public_search(
            q=data["q"],
            jurisdiction=data["jurisdiction"],
            year=data["year"],
            grade=data["grade"],
        )
        # A common name fragment matches most of the published results: counted exactly only
        # when small ("约 N 条" otherwise).
        page = KeysetPaginator(results, 50).get_page(request.GET)
        rows = [
            {
                "name": r.name,
                "uscc": r.uscc,
                "grade": current_grade(r),
                "original": r.grade,
                "year": r.year,
                "jurisdiction": r.cycle.jurisdiction,
            }
            for r in page
        ]
        query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    notices = (
        PublicNotice.objects.filter(cycle__status=CycleStatus.PUBLIC_NOTICE)
        .select_related("cycle__jurisdiction")
        .order_by("-start", "title")[:50]
    )
    return render(
        request,
        "publication/public_index.html",
        {
            "form": form,
            "searched": searched,
            "page": page,
            "rows": rows,
            "query": query,
            "entries": _published_lists(),
            "notices": notices,
            "legend": grade_legend(),
            "title": _("劳动保障守法诚信等级评价结果公布"),
        },
    )


def public_legend(request):
    """The grade legend alone: what A–D mean under each regulation, with the articles."""
    return render(request, "publication/public_legend.html", {"legend": grade_legend()})
