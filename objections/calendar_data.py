"""The holiday data shipped with the ``chinesecalendar`` package, as plain rows (SPEC §6).

Used by the data migration that seeds the calendar and by ``seed_chinesecalendar`` (tests that
flush the database re-seed through it).
"""

import chinese_calendar

FIRST_YEAR = 2004
LAST_YEAR = 2026

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def chinesecalendar_rows(first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR):
    """Yield (date, is_workday, kind, name) for every holiday and make-up workday in the range."""
    for table, is_workday, kind in (
        (chinese_calendar.holidays, False, "holiday"),
        (chinese_calendar.workdays, True, "makeup_workday"),
    ):
        for day, name in table.items():
            if first_year <= day.year <= last_year:
                yield day, is_workday, kind, HOLIDAY_NAMES.get(name, name)


def seed_chinesecalendar(calendar_year_model, calendar_day_model) -> int:
    """Load 2004–2026 where not already present (idempotent). Returns the rows created."""
    existing = set(calendar_day_model.objects.values_list("date", flat=True))
    rows = [
        calendar_day_model(date=d, is_workday=w, kind=k, name=n)
        for d, w, k, n in chinesecalendar_rows()
        if d not in existing
    ]
    calendar_day_model.objects.bulk_create(rows, batch_size=500)
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        calendar_year_model.objects.get_or_create(
            year=year,
            defaults={
                "loaded": True,
                "source": "chinesecalendar",
                "notice_reference": f"chinesecalendar {chinese_calendar_version()}",
            },
        )
    return len(rows)


def chinese_calendar_version() -> str:
    return getattr(chinese_calendar, "__version__", "")
