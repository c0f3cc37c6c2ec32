"""Working days (SPEC §6): the examples of the spec, Spring Festival and National Day around
make-up workdays in 2024–2026 (dates from the State Council notices 国办发明电〔2023〕7号,
〔2024〕12号 and the 2026 notice), a year not loaded, and the sysadmin's entry of a new year."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import ManagementUtility, call_command

from credit_records.models import AuditEntry
from employers.choices import Role
from objections import calendar
from objections.calendar import (
    CalendarNotLoaded,
    add_workdays,
    is_workday,
    next_workday,
    notice_days,
)
from objections.checks import calendar_warnings
from objections.models import CalendarDay, CalendarYear
from objections.services import enter_calendar_year
from tests.factories import UserFactory

D = datetime.date

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # SPEC §6 examples
        (D(2024, 9, 27), 3, D(2024, 10, 8)),
        (D(2025, 9, 30), 3, D(2025, 10, 11)),  # Saturday make-up workday
        # 2024 Spring Festival: 2-10…2-17 off, Sundays 2-4 and 2-18 worked
        (D(2024, 2, 2), 1, D(2024, 2, 4)),
        (D(2024, 2, 8), 1, D(2024, 2, 9)),
        (D(2024, 2, 9), 1, D(2024, 2, 18)),
        (D(2024, 2, 9), 3, D(2024, 2, 20)),
        # 2024 National Day: 10-1…10-7 off, Sun 9-29 and Sat 10-12 worked
        (D(2024, 9, 28), 1, D(2024, 9, 29)),
        (D(2024, 10, 11), 1, D(2024, 10, 12)),
        (D(2024, 9, 30), 10, D(2024, 10, 18)),
        # 2025 Spring Festival: 1-28…2-4 off, Sun 1-26 and Sat 2-8 worked
        (D(2025, 1, 24), 1, D(2025, 1, 26)),
        (D(2025, 1, 27), 1, D(2025, 2, 5)),
        (D(2025, 1, 27), 4, D(2025, 2, 8)),
        # 2025 National Day + Mid-autumn: 10-1…10-8 off, Sun 9-28 and Sat 10-11 worked
        (D(2025, 9, 26), 1, D(2025, 9, 28)),
        (D(2025, 9, 28), 10, D(2025, 10, 17)),
        # 2026 Spring Festival: 2-15…2-23 off, Sat 2-14 and Sat 2-28 worked
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 13), 2, D(2026, 2, 24)),
        (D(2026, 2, 26), 2, D(2026, 2, 28)),
        # 2026 National Day: 10-1…10-7 off, Sun 9-20 and Sat 10-10 worked
        (D(2026, 9, 18), 1, D(2026, 9, 20)),
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),
        # a start on a holiday still counts from the next working day
        (D(2026, 10, 3), 1, D(2026, 10, 8)),
        (D(2026, 12, 28), 3, D(2026, 12, 31)),  # ends before the missing year: fine
        (D(2024, 5, 6), 0, D(2024, 5, 6)),
    ],
)
def test_add_workdays(start, n, expected):
    assert add_workdays(start, n) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2024, 2, 9), True),  # 除夕 2024 was a working day
        (D(2025, 1, 28), False),  # 除夕 2025 was a holiday
        (D(2025, 2, 8), True),  # Saturday make-up
        (D(2025, 2, 9), False),  # ordinary Sunday
        (D(2026, 1, 4), True),  # Sunday make-up after New Year
        (D(2026, 1, 2), False),  # Friday holiday
        (D(2026, 6, 19), False),  # Dragon Boat Festival
        (D(2026, 6, 18), True),
    ],
)
def test_is_workday(day, expected):
    assert is_workday(day) is expected


def test_notice_days_cover_first_n_working_days_inclusive():
    assert notice_days(D(2026, 9, 28), 5) == [
        D(2026, 9, 28),
        D(2026, 9, 29),
        D(2026, 9, 30),
        D(2026, 10, 8),
        D(2026, 10, 9),
    ]
    # a notice starting on a holiday starts on the next working day
    assert notice_days(D(2024, 10, 5), 2) == [D(2024, 10, 8), D(2024, 10, 9)]
    # finalised on the next working day after the notice: the Saturday make-up day
    assert next_workday(D(2026, 10, 9)) == D(2026, 10, 10)


def test_year_not_loaded_is_never_guessed():
    assert not CalendarYear.objects.filter(year=2027).exists()
    with pytest.raises(CalendarNotLoaded) as excinfo:
        add_workdays(D(2026, 12, 28), 5)
    assert excinfo.value.year == 2027
    assert "期限待国务院公布节假日安排后复核" in str(excinfo.value)
    with pytest.raises(CalendarNotLoaded):
        is_workday(D(2027, 3, 1))
    with pytest.raises(CalendarNotLoaded):
        notice_days(D(2026, 12, 29), 5)
    with pytest.raises(CalendarNotLoaded):
        is_workday(D(2003, 6, 2))


def test_seeded_years_are_2004_to_2026():
    years = set(CalendarYear.objects.filter(loaded=True).values_list("year", flat=True))
    assert years == set(range(2004, 2027))
    # only exceptions are stored, not every weekday
    assert CalendarDay.objects.filter(date__year=2025).count() < 60


@pytest.fixture
def sysadmin_user():
    return UserFactory(role=Role.SYSADMIN, jurisdiction=None)


NOTICE_2027 = {
    "year": 2027,
    "notice_reference": "测试通知〔2026〕1号",
    "holidays": [(D(2027, 1, 1), "元旦"), (D(2027, 1, 2), "元旦"), (D(2027, 1, 3), "元旦")]
    + [(D(2027, 2, d), "春节") for d in range(6, 15)],
    "makeup_workdays": [(D(2027, 2, 20), "春节")],
}


def test_entering_a_year_makes_it_computable_and_is_audited(sysadmin_user):
    with pytest.raises(CalendarNotLoaded):
        add_workdays(D(2026, 12, 28), 5)
    enter_calendar_year(actor=sysadmin_user, **NOTICE_2027)
    # 12-29, 12-30, 12-31, (1-1…1-3 off), 1-4, 1-5
    assert add_workdays(D(2026, 12, 28), 5) == D(2027, 1, 5)
    assert add_workdays(D(2027, 2, 5), 1) == D(2027, 2, 15)
    assert add_workdays(D(2027, 2, 19), 1) == D(2027, 2, 20)  # Saturday make-up
    entry = AuditEntry.objects.get(action="calendar.enter_year")
    assert entry.actor == sysadmin_user
    assert entry.before is None
    assert ["2027-02-20", "makeup_workday", "春节"] in entry.after["days"]


def test_re_entering_a_year_replaces_it(sysadmin_user):
    enter_calendar_year(actor=sysadmin_user, **NOTICE_2027)
    assert is_workday(D(2027, 2, 20))
    enter_calendar_year(actor=sysadmin_user, **{**NOTICE_2027, "makeup_workdays": []})
    assert not is_workday(D(2027, 2, 20))
    audit = AuditEntry.objects.filter(action="calendar.enter_year").order_by("id")
    assert audit.count() == 2
    assert ["2027-02-20", "makeup_workday", "春节"] in audit[1].before["days"]


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER, Role.AUDITOR])
def test_only_the_sysadmin_enters_the_calendar(role):
    user = UserFactory(role=role)
    with pytest.raises(PermissionDenied):
        enter_calendar_year(actor=user, **NOTICE_2027)
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.parametrize(
    "change",
    [
        {"makeup_workdays": [(D(2027, 2, 22), "春节")]},  # a Monday is no make-up day
        {"holidays": [(D(2028, 1, 1), "元旦")]},  # wrong year
        {"holidays": []},
    ],
)
def test_invalid_notice_is_refused(sysadmin_user, change):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        enter_calendar_year(actor=sysadmin_user, **{**NOTICE_2027, **change})
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_calendar_page_entry(client, sysadmin_user):
    client.force_login(sysadmin_user)
    response = client.get("/objections/calendar/")
    assert response.status_code == 200
    response = client.post(
        "/objections/calendar/",
        {
            "year": "2027",
            "notice_reference": "测试通知〔2026〕1号",
            "holidays": "2027-01-01 至 2027-01-03 元旦\n2027-02-06~2027-02-14 春节",
            "makeup_workdays": "2027-02-20 春节",
        },
    )
    assert response.status_code == 302
    assert add_workdays(D(2027, 2, 5), 1) == D(2027, 2, 15)
    page = client.get("/objections/calendar/2027/")
    assert "调休上班日" in page.content.decode()


def test_calendar_page_rejects_bad_lines(client, sysadmin_user):
    client.force_login(sysadmin_user)
    response = client.post(
        "/objections/calendar/",
        {
            "year": "2027",
            "notice_reference": "x",
            "holidays": "2027-13-01 元旦",
            "makeup_workdays": "",
        },
    )
    assert response.status_code == 200
    assert "无法识别" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_inspector_reads_but_cannot_post_calendar(client, inspector):
    client.force_login(inspector)
    assert client.get("/objections/calendar/").status_code == 200
    client.post(
        "/objections/calendar/",
        {"year": "2027", "notice_reference": "x", "holidays": "2027-01-01 元旦"},
    )
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_employer_cannot_open_calendar(client, employer_user):
    client.force_login(employer_user)
    assert client.get("/objections/calendar/").status_code == 403


@pytest.mark.parametrize(
    ("today", "codes"),
    [
        (D(2026, 11, 30), []),
        (D(2026, 12, 1), ["objections.W002"]),
        (D(2026, 12, 31), ["objections.W002"]),
        (D(2027, 1, 4), ["objections.W001"]),
        (D(2025, 12, 1), []),  # 2026 is loaded
    ],
)
def test_missing_next_year_warning_from_1_december(today, codes):
    assert [w.id for w in calendar_warnings(today)] == codes


def test_warning_disappears_once_next_year_is_entered(sysadmin_user):
    assert calendar_warnings(D(2026, 12, 15))
    enter_calendar_year(actor=sysadmin_user, **NOTICE_2027)
    assert calendar_warnings(D(2026, 12, 15)) == []


def test_workdays_command_prints_the_date(capsys):
    call_command("workdays", "2024-09-27", "3")
    assert capsys.readouterr().out.strip() == "2024-10-08"


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["2026-12-28", "5"], 1, "2027"),
        (["2024-13-01", "3"], 2, "YYYY-MM-DD"),
        (["2024-09-27", "-1"], 2, "非负整数"),
        (["2024-09-27"], 2, "required"),
    ],
)
def test_workdays_command_exit_status(argv, code, message, capsys):
    with pytest.raises(SystemExit) as excinfo:
        ManagementUtility(["manage.py", "workdays", *argv]).execute()
    assert excinfo.value.code == code
    assert message in capsys.readouterr().err


def test_cache_is_shared_through_the_version_token(sysadmin_user):
    assert calendar.is_year_loaded(2026)
    CalendarYear.objects.filter(year=2026).update(loaded=False)
    assert calendar.is_year_loaded(2026)  # still the cached snapshot
    calendar.invalidate()  # what another process's edit does through the shared cache
    assert not calendar.is_year_loaded(2026)
