"""The time spans grading looks at (SPEC §4), in one place.

- live grade as of D (动态调整): window W = [D − 1 year + 1 day, D];
- annual cycle Y (评价周期为一年): as_of = Y-12-31, so the same formula gives W = [Y-01-01, Y-12-31];
- L60 (seed 000 第九条 “近60个月”): [as_of − 60 months + 1 day, as_of].

Month and year arithmetic is ``credit_records.periods`` (民法典 第二百零一、二百零二条), the one
date helper of the system.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from credit_records.periods import (
    BLACKLIST_YEARS,
    ONE_DAY,
    add_months,
    add_years,
    first_start_reaching,
)


def cycle_as_of(year: int) -> dt.date:
    return dt.date(year, 12, 31)


@dataclass(frozen=True)
class Span:
    """The dates a grade is computed for: as_of, its one-year window W and L60."""

    as_of: dt.date
    window_start: dt.date
    l60_start: dt.date

    @property
    def window_end(self) -> dt.date:
        return self.as_of

    # SPEC §4 [r2]: a wage-arrears blacklisting counts through date + 3 years. It is listed in a
    # span starting on S iff its expiry is ≥ S ⇔ its date is ≥ these thresholds (computed here,
    # passed to SQL as plain dates).
    @property
    def blacklist_from_window(self) -> dt.date:
        return first_start_reaching(self.window_start, months=12 * BLACKLIST_YEARS)

    @property
    def blacklist_from_l60(self) -> dt.date:
        return first_start_reaching(self.l60_start, months=12 * BLACKLIST_YEARS)

    @classmethod
    def for_as_of(cls, as_of: dt.date) -> Span:
        return cls(
            as_of=as_of,
            window_start=add_years(as_of, -1) + ONE_DAY,
            l60_start=add_months(as_of, -60) + ONE_DAY,
        )

    @classmethod
    def for_cycle(cls, year: int) -> Span:
        return cls.for_as_of(cycle_as_of(year))
