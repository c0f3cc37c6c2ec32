from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from employers.choices import Role
from employers.permissions import role_required

from . import services
from .checks import calendar_warnings
from .forms import CalendarYearForm, format_day_lines
from .models import CalendarDay, CalendarYear

STAFF = (Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER, Role.AUDITOR)

# --------------------------------------------------------------------------------------------
# Working-day calendar (SPEC §6) — the sysadmin enters each year's State Council notice
# --------------------------------------------------------------------------------------------


@role_required(Role.SYSADMIN, *STAFF)
@require_http_methods(["GET", "POST"])
def calendar_list(request, year=None):
    can_edit = request.user.role == Role.SYSADMIN
    initial = {}
    if year is not None:
        days = CalendarDay.objects.filter(date__year=year)
        entry = CalendarYear.objects.filter(year=year).first()
        initial = {
            "year": year,
            "notice_reference": entry.notice_reference if entry else "",
            "holidays": format_day_lines(days.filter(is_workday=False)),
            "makeup_workdays": format_day_lines(days.filter(is_workday=True)),
        }
    else:
        days = CalendarDay.objects.none()
        latest = CalendarYear.objects.filter(loaded=True).first()
        initial = {"year": (latest.year + 1) if latest else timezone.localdate().year}
    form = CalendarYearForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_edit:
            return redirect("objections:calendar")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.enter_calendar_year(
                    actor=request.user,
                    year=data["year"],
                    notice_reference=data["notice_reference"],
                    holidays=data["holidays"],
                    makeup_workdays=data["makeup_workdays"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("已录入%(year)s年节假日安排，相关期限已重新计算。") % {"year": data["year"]},
                )
                return redirect("objections:calendar_year", year=data["year"])
    return render(
        request,
        "objections/calendar.html",
        {
            "years": CalendarYear.objects.select_related("entered_by"),
            "year": year,
            "days": days.order_by("date"),
            "form": form,
            "can_edit": can_edit,
            "warnings": calendar_warnings(timezone.localdate()),
        },
    )
