"""Exports of the employer list (issue 15): small selections streamed from the request, large
ones as a background ``ExportJob`` with a progress page and a download when done."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import export_jobs
from .choices import ExportFormat, ExportJobStatus
from .models import ExportJob
from .permissions import role_required
from .resources import EMPLOYER_COLUMNS
from .tabular import csv_lines, xlsx_bytes

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _readers():
    from .views import REGISTRY_READERS

    return REGISTRY_READERS


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@role_required(*_readers())
def employer_export(request, fmt):
    """A selection up to ``EXPORT_INLINE_MAX_ROWS`` employers is written as it is read (CSV
    streamed line by line; XLSX from a write-only workbook); a larger one is offered as a
    background export (GET never writes: the page asks for a POST)."""
    from .paging import estimated_count

    employers = export_jobs.employers_for(request.user, _query(request))
    count, exact = estimated_count(employers)
    if count > settings.EXPORT_INLINE_MAX_ROWS:
        return render(
            request,
            "employers/export_start.html",
            {"fmt": fmt, "count": count, "exact": exact, "query": _query(request)},
        )
    rows = export_jobs.employer_rows(employers)
    name = export_jobs.file_name(fmt)
    if fmt == ExportFormat.XLSX:
        response = HttpResponse(
            xlsx_bytes(EMPLOYER_COLUMNS, rows, title="employers"), content_type=XLSX_TYPE
        )
    else:
        response = StreamingHttpResponse(
            csv_lines(EMPLOYER_COLUMNS, rows), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(*_readers())
@require_POST
def export_start(request, fmt):
    if fmt not in ExportFormat.values:
        return redirect("employers:list")
    job = export_jobs.start_export(user=request.user, fmt=fmt, query=request.POST.get("query", ""))
    messages.success(request, _("已开始在后台导出，完成后可在本页下载。"))
    return redirect("employers:export_job", pk=job.pk)


def _own_job(request, pk) -> ExportJob:
    return get_object_or_404(ExportJob, pk=pk, requested_by=request.user)


@role_required(*_readers())
def export_job(request, pk):
    job = _own_job(request, pk)
    running = job.status in (ExportJobStatus.QUEUED, ExportJobStatus.RUNNING)
    return render(request, "employers/export_job.html", {"job": job, "running": running})


@role_required(*_readers())
def export_download(request, pk):
    job = _own_job(request, pk)
    if job.status != ExportJobStatus.DONE or not job.file:
        return redirect("employers:export_job", pk=job.pk)
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=export_jobs.file_name(job.format)
    )
