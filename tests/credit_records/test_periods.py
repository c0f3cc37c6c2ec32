"""The one date helper (credit_records.periods; 民法典 第二百零一、二百零二条; SPEC §4 [r2]).

Expected values are read off 第二百零二条 (the corresponding day, or the month's last day when
there is none), not computed by the helper."""

import datetime as dt

import pytest

from credit_records.periods import (
    add_months,
    add_years,
    blacklist_expiry,
    effective_list_end,
    first_start_reaching,
)
from grading.windows import Span

D = dt.date

# fmt: off
ADD_MONTHS = [
    (D(2024, 1, 31), 1, D(2024, 2, 29)),    # leap February has a 29th
    (D(2023, 1, 31), 1, D(2023, 2, 28)),    # no 29 February: the month's last day
    (D(2024, 3, 31), 1, D(2024, 4, 30)),
    (D(2024, 1, 15), 3, D(2024, 4, 15)),    # SPEC §7 example: general record, 3 months
    (D(2024, 11, 30), 3, D(2025, 2, 28)),
    (D(2024, 8, 31), 6, D(2025, 2, 28)),
    (D(2024, 12, 31), 1, D(2025, 1, 31)),   # across the year
    (D(2024, 12, 15), 14, D(2026, 2, 15)),
    (D(2024, 3, 31), -1, D(2024, 2, 29)),   # backwards clamps too
    (D(2025, 3, 31), -1, D(2025, 2, 28)),
    (D(2025, 1, 15), -1, D(2024, 12, 15)),
    (D(2024, 6, 30), -60, D(2019, 6, 30)),  # L60
    (D(2024, 2, 29), 0, D(2024, 2, 29)),
]
ADD_YEARS = [
    (D(2020, 2, 29), 3, D(2023, 2, 28)),    # SPEC §4 [r2]
    (D(2024, 2, 29), 1, D(2025, 2, 28)),    # SPEC §5.4 xuchang C.4 example
    (D(2024, 2, 29), 4, D(2028, 2, 29)),    # leap to leap keeps the 29th
    (D(2021, 8, 1), 3, D(2024, 8, 1)),      # SPEC §4 [r2] example
    (D(2024, 2, 29), -1, D(2023, 2, 28)),
    (D(2023, 2, 28), 1, D(2024, 2, 28)),    # 28 February stays the 28th in a leap year
    (D(2024, 12, 31), -1, D(2023, 12, 31)),
]
# fmt: on


@pytest.mark.parametrize(("start", "months", "end"), ADD_MONTHS)
def test_add_months(start, months, end):
    assert add_months(start, months) == end


@pytest.mark.parametrize(("start", "years", "end"), ADD_YEARS)
def test_add_years(start, years, end):
    assert add_years(start, years) == end


@pytest.mark.parametrize(
    ("day", "months", "first"),
    [
        (D(2023, 2, 28), 36, D(2020, 2, 28)),  # 2020-02-28 and 2020-02-29 both reach it
        (D(2024, 2, 29), 36, D(2021, 3, 1)),  # no 2021-02-29: the next day is the first
        (D(2024, 2, 28), 36, D(2021, 2, 28)),
        (D(2024, 3, 1), 36, D(2021, 3, 1)),
        (D(2024, 1, 1), 36, D(2021, 1, 1)),
        (D(2025, 2, 28), 12, D(2024, 2, 28)),
        (D(2024, 4, 30), 1, D(2024, 3, 30)),  # 03-30 → 04-30; 03-31 → 04-30 too
    ],
)
def test_first_start_reaching(day, months, first):
    assert first_start_reaching(day, months=months) == first


def test_first_start_reaching_is_the_exact_inverse_over_four_years():
    """Brute force: for every day of 2023–2026, the threshold is the smallest start whose
    period reaches the day, and every later start reaches it too (monotone)."""
    day = D(2023, 1, 1)
    while day <= D(2026, 12, 31):
        first = first_start_reaching(day, months=36)
        assert add_years(first, 3) >= day
        assert add_years(first - dt.timedelta(days=1), 3) < day
        day += dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("listed", "end_date", "effective"),
    [
        (D(2021, 8, 1), None, D(2024, 8, 1)),  # expires, listed through 2024-08-01
        (D(2020, 2, 29), None, D(2023, 2, 28)),
        (D(2021, 8, 1), D(2022, 5, 1), D(2022, 5, 1)),  # removed early
        (D(2021, 8, 1), D(2025, 1, 1), D(2024, 8, 1)),  # a later removal: the expiry
    ],
)
def test_blacklist_effective_end(listed, end_date, effective):
    assert effective_list_end("wage_arrears_blacklist", listed, end_date) == effective
    assert blacklist_expiry(listed) == add_years(listed, 3)


def test_other_lists_end_only_when_removed():
    assert effective_list_end("serious_dishonesty_list", D(2015, 1, 1), None) is None
    assert effective_list_end("business_abnormal_list", D(2015, 1, 1), D(2016, 1, 1)) == D(
        2016, 1, 1
    )


@pytest.mark.parametrize(
    ("as_of", "window_start", "l60_start"),
    [
        (D(2024, 12, 31), D(2024, 1, 1), D(2020, 1, 1)),
        (D(2024, 6, 30), D(2023, 7, 1), D(2019, 7, 1)),  # SPEC §4 example
        (D(2024, 2, 29), D(2023, 3, 1), D(2019, 3, 1)),  # 2023-02-28 + 1 day
        (D(2025, 2, 28), D(2024, 2, 29), D(2020, 2, 29)),
        (D(2024, 3, 31), D(2023, 4, 1), D(2019, 4, 1)),
    ],
)
def test_windows_use_the_helper(as_of, window_start, l60_start):
    span = Span.for_as_of(as_of)
    assert (span.window_start, span.l60_start) == (window_start, l60_start)
