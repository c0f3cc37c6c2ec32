"""The ledger and the audit log in the admin: read-only for everyone, superuser included
(append-only, seed 000 第七条). The sysadmin sees no credit data (三员分立)."""

from django.contrib import admin

from audit.admin import ReadOnlyAdmin

from .models import Attachment, CreditRecord


@admin.register(CreditRecord)
class CreditRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "employer",
        "kind",
        "date",
        "entry_type",
        "supersedes",
        "created_by",
        "created_at",
    ]
    list_filter = ["kind", "entry_type"]
    search_fields = ["employer__name", "employer__uscc", "case_no", "document_no"]
    list_select_related = ["employer", "created_by", "supersedes"]
    raw_id_fields = ["employer", "supersedes"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "record", "original_name", "size", "sha256", "uploaded_by", "uploaded_at"]
    exclude = ["file"]  # private: downloaded only through the record page's checked view
