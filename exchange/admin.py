"""The sysadmin registers the sister units and binds consultee accounts to them (account
administration, like users and jurisdictions; no credit data)."""

from django.contrib import admin

from .models import SisterUnit, UnitMember


class UnitMemberInline(admin.TabularInline):
    model = UnitMember
    extra = 1
    autocomplete_fields = ()


@admin.register(SisterUnit)
class SisterUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "jurisdiction", "active")
    list_filter = ("kind", "active", "jurisdiction")
    search_fields = ("name",)
    inlines = [UnitMemberInline]
