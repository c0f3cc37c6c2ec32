from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .choices import OutboxStatus
from .models import OutboxMessage, PlatformStubConfig, PlatformStubMessage
from .outbox import retry_message


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "topic",
        "key",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "topic"]
    search_fields = ["key", "message_id"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("重新推送所选消息"))
    def retry(self, request, queryset):
        count = 0
        for message in queryset.exclude(status=OutboxStatus.DELIVERED):
            retry_message(message=message, actor=request.user)
            count += 1
        self.message_user(request, _("已重新排队 %(n)d 条消息。") % {"n": count}, messages.SUCCESS)


@admin.register(PlatformStubMessage)
class PlatformStubMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "topic", "key", "deliveries", "message_id"]
    list_filter = ["topic"]
    search_fields = ["key", "message_id"]
    readonly_fields = [f.name for f in PlatformStubMessage._meta.fields]


@admin.register(PlatformStubConfig)
class PlatformStubConfigAdmin(admin.ModelAdmin):
    list_display = ["__str__", "failure_ratio", "failure_mode", "delay_ms"]

    def has_add_permission(self, request):
        return not PlatformStubConfig.objects.exists()
