"""Open data (SPEC §12): each published list as CSV and JSON at a stable public URL,
``/open-data/<jurisdiction>/<year>.csv`` and ``.json``, with a data dictionary.

The files are streamed row by row from the database (``iterator`` in chunks): a list of a million
employers is never built in memory. They carry what the public list page shows — name, USCC and the
grade in force, with the grade as published and the date of any adjustment — and nothing personal.
"""

from __future__ import annotations

import csv
import json

from django.db.models import Max, OuterRef, Subquery
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from employers.models import Jurisdiction
from grading.choices import CycleStatus

CHUNK = 2000

# The data dictionary: (key, Chinese name, type, meaning).
FIELDS = [
    ("uscc", _("统一社会信用代码"), "string(18)", _("GB 32100-2015 统一社会信用代码")),
    ("name", _("单位名称"), "string", _("公布时的单位名称")),
    ("grade", _("现行等级"), "A|B|C|D", _("现行有效的等级：有结果调整时为最近一次调整后的等级")),
    ("published_grade", _("公布等级"), "A|B|C|D", _("评价结果公布时的等级")),
    (
        "adjusted_on",
        _("调整日期"),
        "date|空",
        _("最近一次结果调整的日期（YYYY-MM-DD），未调整为空"),
    ),
    ("year", _("评价年度"), "integer", _("评价周期所属年度")),
    ("ruleset", _("评价办法"), "string", _("评价办法代码：jiaxian、xiqing、jiangjin、xuchang")),
    ("authority", _("评价单位"), "string", _("作出并公布评价的人力资源和社会保障部门")),
    ("published_on", _("公布日期"), "date", _("评价结果公布日期（YYYY-MM-DD）")),
]


def _list(code: str, year: int):
    from publication.models import PublishedAdjustment, PublishedResult
    from publication.selectors import published_cycles

    jurisdiction = get_object_or_404(Jurisdiction, code=code)
    cycles = list(published_cycles().filter(jurisdiction=jurisdiction, year=year))
    if not cycles:
        raise Http404
    # The adjustment in force: the latest by date (adjustments are rare; a correlated subquery
    # on its indexed foreign key costs less than building a model per row).
    latest = PublishedAdjustment.objects.filter(result=OuterRef("pk")).order_by(
        "-effective_date", "-pk"
    )
    results = (
        PublishedResult.objects.filter(cycle__in=cycles)
        .annotate(
            adjusted_grade=Subquery(latest.values("new_grade")[:1]),
            adjusted_on=Subquery(latest.values("effective_date")[:1]),
        )
        .order_by("name", "id")
        .values(
            "cycle_id",
            "uscc",
            "name",
            "grade",
            "year",
            "ruleset_code",
            "published_at",
            "adjusted_grade",
            "adjusted_on",
        )
    )
    return jurisdiction, cycles, results


def _rows(results, cycles):
    from publication.services import authority_of

    authorities = {c.pk: authority_of(c) for c in cycles}
    for r in results.iterator(chunk_size=CHUNK):
        yield {
            "uscc": r["uscc"],
            "name": r["name"],
            "grade": r["adjusted_grade"] or r["grade"],
            "published_grade": r["grade"],
            "adjusted_on": r["adjusted_on"].isoformat() if r["adjusted_on"] else "",
            "year": r["year"],
            "ruleset": r["ruleset_code"],
            "authority": authorities[r["cycle_id"]],
            "published_on": timezone.localdate(r["published_at"]).isoformat(),
        }


class _Echo:
    def write(self, value):
        return value


def _safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@require_GET
def open_data_csv(request, code, year):
    jurisdiction, cycles, results = _list(code, year)
    keys = [key for key, *_rest in FIELDS]
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff" + writer.writerow(keys)
        for row in _rows(results, cycles):
            yield writer.writerow([_safe(row[k]) for k in keys])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{jurisdiction.code}-{year}.csv"'
    return response


@require_GET
def open_data_json(request, code, year):
    jurisdiction, cycles, results = _list(code, year)
    head = {
        "jurisdiction": jurisdiction.code,
        "jurisdiction_name": jurisdiction.name,
        "year": year,
        "published_at": max(c.published_at for c in cycles).isoformat(),
        "dictionary": request.build_absolute_uri("/open-data/dictionary/"),
    }

    def stream():
        yield json.dumps(head, ensure_ascii=False)[:-1] + ', "results": ['
        first = True
        for row in _rows(results, cycles):
            yield ("" if first else ",") + "\n" + json.dumps(row, ensure_ascii=False)
            first = False
        yield "\n]}\n"

    response = StreamingHttpResponse(stream(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{jurisdiction.code}-{year}.json"'
    return response


@require_GET
def open_data_index(request):
    from publication.selectors import published_cycles

    entries = (
        published_cycles()
        .values("jurisdiction__code", "jurisdiction__name", "year")
        .annotate(published_at=Max("published_at"))
        .order_by("jurisdiction__path", "-year")
    )
    return render(request, "exchange/open_data.html", {"entries": entries, "fields": FIELDS})


@require_GET
def open_data_dictionary(request):
    return render(
        request,
        "exchange/open_data_dictionary.html",
        {"fields": FIELDS, "status": CycleStatus.PUBLISHED.label},
    )
