from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from .models import Employer, Jurisdiction, User
from .resources import EmployerResource

# The admin carries the system's name, not "Django administration" (issue 11 item 3).
admin.site.site_header = _("劳动保障守法诚信等级评价系统")
admin.site.site_title = _("劳动保障守法诚信等级评价系统")
admin.site.index_title = _("系统管理")


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

    def has_import_permission(self, request):
        # Employer files are imported through employers.services.import_employers only (the
        # inspectors' page and the command): checked against the importer's jurisdiction and
        # audited. The admin's import would need nothing but the view permission the sysadmin
        # has for binding accounts, and would write unaudited.
        return False


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

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # 三员分立: the sysadmin manages accounts but cannot make anyone a superuser (who
            # reads the ledger and the audit log in the admin) or hand out model permissions.
            # Role, scope and password change only through a request a second person approves
            # (employers.services, the accounts pages); never here.
            fields += [
                "is_superuser",
                "groups",
                "user_permissions",
                "is_staff",
                "role",
                "jurisdiction",
                "employer",
                "must_change_password",
            ]
            if obj is not None and obj.pk == request.user.pk:
                fields += ["is_active"]
        return fields

    def has_add_permission(self, request):
        # A new account is a request approved by a second person (accounts:create).
        return request.user.is_superuser and super().has_add_permission(request)

    def user_change_password(self, request, id, form_url=""):
        # Setting someone's password would let the sysadmin log in as them: a reset is a
        # request, and the user sets its own password with a one-time code (accounts:reset).
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)
