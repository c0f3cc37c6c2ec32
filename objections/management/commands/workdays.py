"""``manage.py workdays YYYY-MM-DD N`` — the date N working days after the given date (SPEC §9).

Exit status: 0 and the date on stdout; 1 when the span reaches a year whose calendar is not
loaded; 2 on a usage error.
"""

import argparse
import datetime

from django.core.management.base import BaseCommand, CommandError

from objections.calendar import CalendarNotLoaded, add_workdays


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{value!r}") from None


def non_negative_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"工作日数应为非负整数：{value!r}")
    return number


class Command(BaseCommand):
    help = "打印给定日期之后第 N 个工作日（起算日不计入，SPEC §6）"

    def add_arguments(self, parser):
        parser.add_argument("date", type=iso_date, help="起算日期 YYYY-MM-DD")
        parser.add_argument("n", type=non_negative_int, help="工作日数")

    def handle(self, *args, date, n, **options):
        try:
            due = add_workdays(date, n)
        except CalendarNotLoaded as exc:
            raise CommandError(str(exc), returncode=1) from None
        self.stdout.write(due.isoformat())
