"""Seed the working-day calendar from chinesecalendar for 2004–2026 (SPEC §6)."""

from django.db import migrations


def seed(apps, schema_editor):
    from objections.calendar_data import seed_chinesecalendar

    seed_chinesecalendar(apps.get_model("objections", "CalendarYear"),
                         apps.get_model("objections", "CalendarDay"))


def unseed(apps, schema_editor):
    apps.get_model("objections", "CalendarDay").objects.all().delete()
    apps.get_model("objections", "CalendarYear").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("objections", "0001_calendar")]

    operations = [migrations.RunPython(seed, unseed)]
