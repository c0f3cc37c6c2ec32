"""The time spans grading looks at (SPEC §4), in one place.

- live grade as of D (动态调整): window W = [D − 1 year + 1 day, D];
- annual cycle Y (评价周期为一年): as_of = Y-12-31, so the same formula gives W = [Y-01-01, Y-12-31];
- L60 (seed 000 第九条 “近60个月”): [as_of − 60 months + 1 day, as_of].
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


def shift_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (earlier if negative); 29 February → 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


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

    @classmethod
    def for_as_of(cls, as_of: dt.date) -> Span:
        return cls(
            as_of=as_of,
            window_start=shift_years(as_of, -1) + dt.timedelta(days=1),
            l60_start=shift_years(as_of, -5) + dt.timedelta(days=1),
        )

    @classmethod
    def for_cycle(cls, year: int) -> Span:
        return cls.for_as_of(cycle_as_of(year))
