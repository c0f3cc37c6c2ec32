from django import template
from django.utils import timezone

from employers.choices import Role

from ..checks import calendar_warnings

register = template.Library()


@register.inclusion_tag("objections/_calendar_warnings.html", takes_context=True)
def calendar_warnings_panel(context):
    """For the sysadmin's dashboard: ``{% load objections_tags %}{% calendar_warnings_panel %}``
    shows the missing-next-year warning from 1 December (SPEC §6)."""
    user = context.get("user")
    if user is None or not user.is_authenticated or user.role != Role.SYSADMIN:
        return {"warnings": []}
    return {"warnings": calendar_warnings(timezone.localdate())}
