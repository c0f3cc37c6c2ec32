"""Month and year arithmetic, once for the whole system (SPEC §4 [r2]).

民法典 第二百零一条: a period counted in months or years starts the day after the event (the start
day is not counted); 第二百零二条: it ends on the corresponding day of the last month, or on that
month's last day when there is no corresponding day. So a period of N months from D ends on
``add_months(D, N)``: 2020-02-29 + 3 years = 2023-02-28, 2024-01-31 + 1 month = 2024-02-29.

Every span of the system goes through here: the grading windows W and L60 (grading.windows),
“lost contact one year” (xuchang C.4), the repair publicity periods (objections.eligibility) and
the wage-arrears blacklist's three years (人社部令第45号 第十一条; ``blacklist_expiry``).

Going backwards (``n`` negative) clamps the same way: 2024-02-29 − 1 year = 2023-02-28.
"""

from __future__ import annotations

import calendar
import datetime as dt

ONE_DAY = dt.timedelta(days=1)

# 人社部令第45号 第十一条: a wage-arrears blacklisting lasts three years from the decision.
BLACKLIST_YEARS = 3


def add_months(day: dt.date, months: int) -> dt.date:
    """The day ``months`` months after ``day`` (before, if negative), clamped to the month's end
    when the month has no such day (民法典 第二百零二条)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def add_years(day: dt.date, years: int) -> dt.date:
    """``add_months(day, 12 * years)``: 2020-02-29 + 3 years = 2023-02-28."""
    return add_months(day, 12 * years)


def first_start_reaching(day: dt.date, *, months: int) -> dt.date:
    """The inverse used for set-based queries: the earliest start ``d`` whose period of
    ``months`` months ends on or after ``day`` (``add_months(d, months) >= day``).

    ``add_months`` is monotone (non-decreasing) in ``d``, so “the period of ``d`` reaches
    ``day``” ⇔ ``d >= first_start_reaching(day, months=…)``; grading passes it to SQL as a plain
    date (no date arithmetic in the database, where SQLite's ``date(x, '+3 years')`` would turn
    29 February into 1 March). E.g. for 3 years: 2023-02-28 → 2020-02-28; 2024-02-29 → 2021-03-01.
    """
    start = add_months(day, -months)
    while add_months(start, months) < day:
        start += ONE_DAY
    while add_months(start - ONE_DAY, months) >= day:
        start -= ONE_DAY
    return start


def blacklist_expiry(listed_on: dt.date) -> dt.date:
    """The last day a wage-arrears blacklisting counts (人社部令第45号 第十一条: three years from
    the decision; SPEC §4 [r2]): listed 2021-08-01 → listed through 2024-08-01 inclusive."""
    return add_years(listed_on, BLACKLIST_YEARS)


def effective_list_end(kind: str, listed_on: dt.date, end_date: dt.date | None) -> dt.date | None:
    """The effective end of a list-like record (SPEC §4 [r2]): for the wage-arrears blacklist the
    earlier of its removal date and its expiry; for the other kinds the removal date (None: open).
    Grades, L60, pages and repair all read this one definition."""
    if kind == "wage_arrears_blacklist":
        expiry = blacklist_expiry(listed_on)
        return expiry if end_date is None else min(end_date, expiry)
    return end_date


def cn_date(day: dt.date | None, empty: str = "") -> str:
    """A date as a Chinese reader reads it, 2024年9月27日, in any active language (messages,
    letters and PDFs made by a worker, where the request's locale is not active); ``empty``
    when there is no date."""
    if day is None:
        return empty
    return f"{day.year}年{day.month}月{day.day}日"
