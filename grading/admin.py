"""The sysadmin maintains which rule set grades whom (SPEC §1: rule-set assignments). Grades,
runs and cycles are not here: the sysadmin never sees or writes credit data (三员分立)."""

from django import forms
from django.contrib import admin

from credit_records.audit import snapshot, write_audit

from . import rulesets
from .models import RuleSetAssignment


class RuleSetAssignmentForm(forms.ModelForm):
    class Meta:
        model = RuleSetAssignment
        fields = [
            "jurisdiction", "employer_kind", "ruleset_code", "ruleset_version", "effective_from",
            "effective_to", "note",
        ]  # fmt: skip
        widgets = {
            "ruleset_code": forms.Select(
                choices=sorted(
                    {(rs.code, f"{rs.code} — {rs.title}") for rs in rulesets.all_rulesets()}
                )
            ),
        }


@admin.register(RuleSetAssignment)
class RuleSetAssignmentAdmin(admin.ModelAdmin):
    form = RuleSetAssignmentForm
    list_display = [
        "jurisdiction", "employer_kind", "ruleset_code", "ruleset_version", "effective_from",
        "effective_to",
    ]  # fmt: skip
    list_filter = ["ruleset_code"]
    list_select_related = ["jurisdiction"]

    def save_model(self, request, obj, form, change):
        before = snapshot(RuleSetAssignment.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        write_audit(
            actor=request.user,
            action="grading.assignment_update" if change else "grading.assignment_create",
            obj=obj,
            jurisdiction_path=obj.jurisdiction.path,
            before=before,
            after=snapshot(obj),
        )

    def delete_model(self, request, obj):
        write_audit(
            actor=request.user,
            action="grading.assignment_delete",
            obj=obj,
            jurisdiction_path=obj.jurisdiction.path,
            before=snapshot(obj),
        )
        super().delete_model(request, obj)
