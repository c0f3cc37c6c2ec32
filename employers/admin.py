from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from .models import Employer, Jurisdiction, User
from .resources import EmployerResource


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent", "path"]
    list_filter = ["level"]
    search_fields = ["name", "code"]


@admin.register(Employer)
class EmployerAdmin(ImportExportModelAdmin):
    resource_classes = [EmployerResource]
    list_display = ["name", "uscc", "kind", "jurisdiction", "street", "industry"]
    list_filter = ["kind", "industry", "jurisdiction"]
    search_fields = ["name", "uscc"]
    list_select_related = ["jurisdiction", "street"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "jurisdiction", "employer", "is_active"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["employer"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            _("角色与范围"),
            {
                "fields": (
                    "display_name",
                    "role",
                    "jurisdiction",
                    "employer",
                    "must_change_password",
                )
            },
        ),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("角色与范围"), {"fields": ("display_name", "role", "jurisdiction", "employer")}),
    )
