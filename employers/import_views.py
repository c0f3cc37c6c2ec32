"""The page of one import job: progress while the check or the write runs (it reloads itself),
the check's result with the confirm button, the problems, the outcome. Only the user who
uploaded the file sees it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .choices import IMPORT_JOB_RUNNING, ImportJobStatus, Role
from .import_jobs import import_kind, problems_path, progress_of
from .models import ImportJob
from .permissions import role_required
from .services import cancel_import, confirm_import

IMPORTERS = (Role.INSPECTOR, Role.SUPERVISOR)


def _own_job(request, pk) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.filter(created_by=request.user), pk=pk)
    if not request.user.has_role(*import_kind(job.kind).roles):
        raise PermissionDenied
    return job


@role_required(*IMPORTERS)
def job_detail(request, pk):
    job = _own_job(request, pk)
    kind = import_kind(job.kind)
    running = job.status in IMPORT_JOB_RUNNING
    progress = progress_of(job) if running else {}
    rows = progress.get("rows", 0)
    report = job.report or {}
    if job.status == ImportJobStatus.WRITING:
        target = (report.get("created") or 0) + (report.get("updated") or 0)
        if progress.get("phase") == "check":
            target = report.get("total") or job.rows_estimate
    else:
        target = job.rows_estimate
    percent = min(99, int(rows * 100 / target)) if running and target else None
    return render(
        request,
        "employers/import_job.html",
        {
            "job": job,
            "kind": kind,
            "running": running,
            "rows": rows,
            "phase": progress.get("phase", ""),
            "percent": percent,
            "report": report,
            "can_write": bool(report.get("created") or report.get("updated")),
        },
    )


@role_required(*IMPORTERS)
@require_POST
def job_confirm(request, pk):
    job = _own_job(request, pk)
    try:
        confirm_import(job=job, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", None) or [str(exc)]:
            messages.error(request, message)
    return redirect("imports:job", pk=job.pk)


@role_required(*IMPORTERS)
@require_POST
def job_cancel(request, pk):
    job = _own_job(request, pk)
    try:
        cancel_import(job=job, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", None) or [str(exc)]:
            messages.error(request, message)
        return redirect("imports:job", pk=job.pk)
    messages.info(request, _("已取消，上传的文件已删除。"))
    return redirect(import_kind(job.kind).upload_url)


@role_required(*IMPORTERS)
def job_problems(request, pk):
    job = _own_job(request, pk)
    path = problems_path(job)
    if path is None or not path.exists():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"problems-{job.filename.rsplit('.', 1)[0]}.csv",
        content_type="text/csv; charset=utf-8",
    )
