from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from employers.choices import Role
from employers.permissions import role_required

from . import outbox
from .choices import OutboxStatus
from .selectors import OUTBOX_READERS, visible_outbox
from .stub import behaviour


@role_required(*OUTBOX_READERS)
def outbox_list(request):
    messages_qs = visible_outbox(request.user)
    status = request.GET.get("status") or OutboxStatus.PENDING
    if status not in OutboxStatus.values:
        status = OutboxStatus.PENDING
    counts = dict(messages_qs.values_list("status").annotate(n=Count("id")).order_by())
    tabs = [
        {"value": value, "label": label, "count": counts.get(value, 0), "active": value == status}
        for value, label in OutboxStatus.choices
    ]
    listed = messages_qs.filter(status=status).order_by(
        "next_attempt_at" if status == OutboxStatus.PENDING else "-created_at", "id"
    )
    page = Paginator(listed, 50).get_page(request.GET.get("page"))
    ratio, mode, delay_ms = behaviour()
    return render(
        request,
        "publication/outbox.html",
        {
            "tabs": tabs,
            "status": status,
            "page": page,
            "query": f"status={status}",
            "can_retry": request.user.has_role(Role.PUBLISHER),
            "stub": {"ratio": ratio, "mode": mode, "delay_ms": delay_ms},
        },
    )


@role_required(Role.PUBLISHER)
@require_POST
def outbox_retry(request, pk):
    message = get_object_or_404(visible_outbox(request.user), pk=pk)
    outbox.retry_message(message=message, actor=request.user)
    messages.success(request, _("已重新排队，将立即推送。"))
    return redirect(f"{reverse('publication:outbox')}?status={OutboxStatus.PENDING}")


@role_required(Role.PUBLISHER)
@require_POST
def outbox_retry_failed(request):
    failed = visible_outbox(request.user).filter(status=OutboxStatus.FAILED)
    count = 0
    for message in failed.iterator():
        outbox.retry_message(message=message, actor=request.user)
        count += 1
    messages.success(request, _("已重新排队 %(n)d 条失败消息。") % {"n": count})
    return redirect("publication:outbox")


@role_required(Role.PUBLISHER)
@require_POST
def outbox_drain(request):
    """Send due messages now (useful without a Celery worker); bounded in time."""
    stats = outbox.drain(max_seconds=10.0)
    messages.info(
        request,
        _("本次推送：送达 %(d)d 条，待重试 %(r)d 条，失败 %(f)d 条。")
        % {"d": stats.delivered, "r": stats.retrying, "f": stats.failed},
    )
    return redirect("publication:outbox")
