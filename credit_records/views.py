"""Ledger pages: the credit file, add/correct/void, evidence, import/export, the audit log.
Views stay thin: reads through selectors.py, writes through services.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from employers.choices import Role
from employers.forms import ImportUploadForm
from employers.paging import keyset_page
from employers.permissions import role_required
from employers.selectors import visible_employers
from employers.services import start_import
from employers.tabular import csv_bytes, xlsx_bytes

from . import services
from .choices import RecordKind
from .forms import AttachmentForm, AuditFilterForm, CorrectionForm, ReasonForm, RecordForm
from .importing import EXPORT_EXTRA_COLUMNS, RECORD_COLUMNS, export_row
from .kinds import KIND_SPECS
from .models import Attachment, CreditRecord
from .panels import history_view
from .selectors import (
    RECORD_READERS,
    RECORD_WRITERS,
    audit_entries_about_employers,
    credit_file,
    mask_personal_data,
    visible_audit_entries,
    visible_records,
)

STAFF_READERS = (Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER, Role.AUDITOR)


def _visible_employer(request, pk):
    return get_object_or_404(visible_employers(request.user), pk=pk)


def _visible_record(request, pk):
    return get_object_or_404(
        visible_records(request.user).select_related("employer__jurisdiction"), pk=pk
    )


def _form_context(form, employer, **extra):
    return {"form": form, "employer": employer, "kind_specs": KIND_SPECS, **extra}


@role_required(*RECORD_WRITERS)
@require_http_methods(["GET", "POST"])
def record_add(request, employer_pk):
    employer = _visible_employer(request, employer_pk)
    initial = {"kind": request.GET.get("kind", ""), "date": timezone.localdate()}
    if initial["kind"] == RecordKind.INTERVIEW:
        initial["source"] = "patrol"
    form = RecordForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.add_record(
                actor=request.user,
                employer=employer,
                attachments=form.cleaned_data.get("attachments") or (),
                **form.content(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("已添加信用记录：%(record)s") % {"record": record})
            return redirect("employers:detail", pk=employer.pk)
    return render(request, "credit_records/record_form.html", _form_context(form, employer))


@role_required(*RECORD_READERS)
def record_detail(request, pk):
    record = get_object_or_404(visible_records(request.user).select_related("employer"), pk=pk)
    history = next(h for h in credit_file(record.employer) if any(e.pk == pk for e in h.entries))
    masked = request.user.role == Role.EMPLOYER
    names = [record.employer.legal_rep] if masked else []
    return render(
        request,
        "credit_records/record_detail.html",
        {
            "record": record,
            "history": history,
            "employer": record.employer,
            "entries": history_view(history, masked=masked, names=names)["entries"],
            "current_pk": history.current.pk if history.current else None,
            "can_write": request.user.has_role(*RECORD_WRITERS),
            "masked": masked,
            "can_download": not masked,
            "attachment_form": AttachmentForm(),
        },
    )


@role_required(*RECORD_WRITERS)
@require_http_methods(["GET", "POST"])
def record_correct(request, pk):
    record = _visible_record(request, pk)
    form = CorrectionForm(request.POST or None, request.FILES or None, record=record)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.correct_record(
                actor=request.user,
                record=record,
                reason=form.cleaned_data["reason"],
                attachments=form.cleaned_data.get("attachments") or (),
                **form.content(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("已更正，原记录保留在历史中。"))
            return redirect("credit_records:detail", pk=new.pk)
    return render(
        request,
        "credit_records/record_form.html",
        _form_context(form, record.employer, record=record, correcting=True),
    )


@role_required(*RECORD_WRITERS)
@require_http_methods(["GET", "POST"])
def record_void(request, pk):
    record = _visible_record(request, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.void_record(
                actor=request.user, record=record, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已作废，原记录保留在历史中，不再计入评价。"))
            return redirect("employers:detail", pk=record.employer_id)
    return render(
        request,
        "credit_records/record_void.html",
        {"form": form, "record": record, "employer": record.employer},
    )


@role_required(*RECORD_WRITERS)
@require_POST
def attachment_upload(request, pk):
    record = _visible_record(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            stored = services.add_attachment(
                actor=request.user, record=record, uploads=form.cleaned_data["attachments"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已上传 %(n)d 个附件。") % {"n": len(stored)})
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("credit_records:detail", pk=record.pk)


@role_required(*STAFF_READERS)
def attachment_download(request, pk):
    """Evidence is served only to staff who may see the record — never by a public URL, and
    never to employers (it names workers and complainants)."""
    attachment = get_object_or_404(
        Attachment.objects.filter(record__in=visible_records(request.user)), pk=pk
    )
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@role_required(*RECORD_READERS)
def employer_export(request, employer_pk, fmt):
    employer = _visible_employer(request, employer_pk)
    if request.user.role == Role.EMPLOYER and employer.pk != request.user.employer_id:
        raise PermissionDenied
    effective = set(
        CreditRecord.objects.effective().filter(employer=employer).values_list("pk", flat=True)
    )
    records = (
        CreditRecord.objects.filter(employer=employer)
        .select_related("employer")
        .order_by("date", "id")
    )
    rows = [export_row(r, effective=r.pk in effective) for r in records]
    headers = RECORD_COLUMNS + EXPORT_EXTRA_COLUMNS
    if request.user.role == Role.EMPLOYER:
        free_text = [headers.index("summary"), headers.index("reason")]
        for row in rows:
            for at in free_text:
                row[at] = mask_personal_data(row[at], names=[employer.legal_rep])
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "xlsx":
        body = xlsx_bytes(headers, rows, title="credit_records")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = csv_bytes(headers, rows)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="credit-records-{employer.uscc}-{stamp}.{fmt}"'
    )
    return response


@role_required(*RECORD_WRITERS)
@require_http_methods(["GET", "POST"])
def record_import(request):
    """Upload → check in the background (a full dry run, with progress) → confirm → write in
    the background (employers.import_jobs). Nothing is written before the confirm."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = start_import(kind="records", upload=form.cleaned_data["file"], actor=request.user)
        return redirect("imports:job", pk=job.pk)
    return render(
        request, "credit_records/import_upload.html", {"form": form, "columns": RECORD_COLUMNS}
    )


@role_required(Role.AUDITOR)
def audit_log(request):
    """The audit log in Chinese: filters by actor, Chinese action name, employer (every entry
    about it), object and dates; ``?format=csv`` exports what the filters select."""
    from audit.presentation import action_label, changes, object_type_label

    visible = visible_audit_entries(request.user)
    actions = visible.values_list("action", flat=True).distinct().order_by()
    form = AuditFilterForm(request.GET or None, actions=actions)
    entries = visible.select_related("actor")
    if form.is_valid():
        data = form.cleaned_data
        if data["actor"]:
            entries = entries.filter(
                Q(actor_repr__icontains=data["actor"]) | Q(actor__username=data["actor"])
            )
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["employer"]:
            text = data["employer"].strip()
            employer_ids = visible_employers(request.user).filter(
                Q(name__icontains=text) | Q(uscc__iexact=text)
            )
            entries = audit_entries_about_employers(
                entries, employer_ids.values_list("pk", flat=True)
            )
        if data["object"]:
            text = data["object"]
            entries = entries.filter(Q(object_id=text) | Q(object_repr__icontains=text))
        if data["date_from"]:
            entries = entries.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            entries = entries.filter(at__date__lte=data["date_to"])
    entries = entries.order_by("-at", "-id")
    if request.GET.get("format") == "csv":
        return _audit_csv(entries, action_label, object_type_label, changes)
    # Every write of every year is here (millions of entries): keyset pages, estimated count.
    page = keyset_page(request, entries, 50)
    for entry in page:
        entry.action_label = action_label(entry.action)
        entry.type_label = object_type_label(entry.object_type)
        entry.changes = changes(entry)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "credit_records/audit_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


AUDIT_EXPORT_LIMIT = 50_000


def _audit_csv(entries, action_label, object_type_label, changes):
    """The selected entries as CSV (UTF-8 with BOM for Excel), Chinese headers and values."""
    from django.utils.formats import date_format

    header = [
        _("时间"),
        _("操作人"),
        _("操作"),
        _("对象类型"),
        _("对象"),
        _("对象编号"),
        _("变更"),
        _("说明"),
        _("来源地址"),
    ]

    def row(entry):
        diff = "；".join(f"{c.label}：{c.before or '—'} → {c.after or '—'}" for c in changes(entry))
        return [
            date_format(timezone.localtime(entry.at), "DATETIME_FORMAT"),
            entry.actor_repr,
            action_label(entry.action),
            object_type_label(entry.object_type),
            entry.object_repr,
            entry.object_id,
            diff,
            entry.note,
            entry.ip_address or "",
        ]

    # Read in chunks: up to AUDIT_EXPORT_LIMIT entries, never all of them in memory at once.
    selected = entries[:AUDIT_EXPORT_LIMIT].iterator(chunk_size=2000)
    rows = (row(entry) for entry in selected)
    response = HttpResponse(csv_bytes(header, rows), content_type="text/csv; charset=utf-8")
    name = f"audit-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
