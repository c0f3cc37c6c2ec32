"""The draws of the written review as pure functions (SPEC §10.1, §10.3; seed 002 三(一)1).

No ORM, no clock, no I/O (only the messages go through gettext): the same inputs give the same output on any machine, so anyone can
repeat a draw from what the plan stores (ratios, seed, candidate list, manual additions).

How an employer is chosen, in one sentence: within each grade group, candidates are ordered by
``SHA-256("<seed>:<uscc>")`` (hexadecimal, ascending) and the first ``size`` are drawn, where
``size`` is the group's count times the plan's ratio — rounded down for A and B (at most 3 % and
50 %), up for C and D (at least 95 %); then every candidate of the four key industries, then the
manual additions, each once (the first reason wins). The hash makes the order independent of the
order of the list and of the Python version; ``python -c 'import hashlib;
print(hashlib.sha256(b"2024:91500116MA5U7J1X2Q").hexdigest())'`` is all a reviewer needs.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.utils.translation import gettext as _

GRADE_GROUPS = ("A", "B", "C", "D", "")

# Seed 002 三(一)1 (A 不高于3%, B 不高于50%, C 不低于95%) — (lowest, highest, rounding).
# Interpretation: D (jiaxian, xuchang) is held like C, the worst grade the notice names; the
# ungraded share is the plan's own choice and rounds up, so a ratio above zero never draws none
# of a small group.
BOUNDS = {
    "A": (Decimal(0), Decimal(3), "down"),
    "B": (Decimal(0), Decimal(50), "down"),
    "C": (Decimal(95), Decimal(100), "up"),
    "D": (Decimal(95), Decimal(100), "up"),
    "": (Decimal(0), Decimal(100), "up"),
}

# Seed 002 三(一)1: 人力资源服务、建筑、交通运输、互联网平台 are always reviewed.
KEY_INDUSTRIES = ("hr_services", "construction", "transport", "internet_platform")

RATIO = "ratio"
KEY_INDUSTRY = "key_industry"
MANUAL = "manual"

CSV_COLUMNS = ["uscc", "name", "grade", "reason"]


@dataclass(frozen=True)
class Candidate:
    uscc: str
    name: str
    grade: str = ""  # the latest published grade, "" when none
    industry: str = ""


@dataclass(frozen=True)
class Drawn:
    uscc: str
    name: str
    grade: str
    reason: str  # ratio | key_industry | manual


class RatioError(ValueError):
    """A ratio outside its legal bounds (the message names the grade and the bound)."""


def _as_decimal(value) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise RatioError(_("比例“%(v)s”不是数字") % {"v": value}) from None


def check_ratios(ratios: Mapping[str, object]) -> dict[str, Decimal]:
    """The ratios as Decimals, or RatioError naming every one outside the legal bounds."""
    checked, problems = {}, []
    for group in GRADE_GROUPS:
        low, high, _rounding = BOUNDS[group]
        value = _as_decimal(ratios.get(group, 0))
        label = _("%(g)s级") % {"g": group} if group else _("未评级单位")
        values = {"label": label, "low": low, "high": high, "value": value}
        if value < low or value > high:
            if group in ("A", "B"):
                problems.append(
                    _("%(label)s抽取比例不得高于 %(high)s%%（填写的是 %(value)s%%）") % values
                )
            elif group in ("C", "D"):
                problems.append(
                    _("%(label)s抽取比例不得低于 %(low)s%%（填写的是 %(value)s%%）") % values
                )
            else:
                problems.append(
                    _("%(label)s抽取比例应在 0%% 到 100%% 之间（填写的是 %(value)s%%）") % values
                )
        checked[group] = value
    if problems:
        raise RatioError(_("；").join(problems))
    return checked


def sample_size(group: str, count: int, ratio) -> int:
    """How many of ``count`` candidates of a grade group are drawn at ``ratio`` percent."""
    exact = Fraction(count) * Fraction(str(ratio)) / 100
    if BOUNDS[group][2] == "down":
        return exact.numerator // exact.denominator
    return -((-exact.numerator) // exact.denominator)


def rank(seed: int, key: str) -> int:
    """The draw order of ``key`` under ``seed``: SHA-256 of "<seed>:<key>" as an integer."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{key}".encode()).digest(), "big")


def draw(
    *,
    ratios: Mapping[str, object],
    seed: int,
    candidates: Iterable[Candidate],
    manual: Iterable[Candidate] = (),
    counts: Mapping[str, int] | None = None,
) -> list[Drawn]:
    """The sample, ordered by USCC. ``counts`` (per grade group) lets a caller stream a long
    candidate list once; without it the list is read twice."""
    checked = check_ratios(ratios)
    if counts is None:
        candidates = list(candidates)
        counts = Counter(c.grade for c in candidates)
    sizes = {g: sample_size(g, counts.get(g, 0), checked[g]) for g in GRADE_GROUPS}
    heaps: dict[str, list] = {g: [] for g in GRADE_GROUPS}
    key_industry: dict[str, Candidate] = {}
    for candidate in candidates:
        group = candidate.grade if candidate.grade in sizes else ""
        size = sizes[group]
        if size:
            item = (-rank(seed, candidate.uscc), candidate.uscc, candidate)
            heap = heaps[group]
            if len(heap) < size:
                heapq.heappush(heap, item)
            elif item > heap[0]:
                heapq.heapreplace(heap, item)
        if candidate.industry in KEY_INDUSTRIES:
            key_industry[candidate.uscc] = candidate
    drawn: dict[str, Drawn] = {}
    for group in GRADE_GROUPS:
        for _neg, uscc, c in heaps[group]:
            drawn[uscc] = Drawn(c.uscc, c.name, c.grade, RATIO)
    for uscc, c in key_industry.items():
        drawn.setdefault(uscc, Drawn(c.uscc, c.name, c.grade, KEY_INDUSTRY))
    for c in manual:
        drawn.setdefault(c.uscc, Drawn(c.uscc, c.name, c.grade, MANUAL))
    return [drawn[uscc] for uscc in sorted(drawn)]


def csv_rows(sample: Iterable[Drawn]) -> list[list[str]]:
    return [[d.uscc, d.name, d.grade, d.reason] for d in sample]


def sample_csv(sample: Iterable[Drawn]) -> bytes:
    """The ``draw_sample written-review`` file: ``uscc,name,grade,reason`` (SPEC §9), UTF-8 with
    BOM and CRLF like every export; the same sample gives the same bytes."""
    from employers.tabular import csv_bytes

    return csv_bytes(CSV_COLUMNS, csv_rows(sample))


# --- the workers whose papers are reviewed (SPEC §10.3) -----------------------------------------

DEFAULT_WORKER_PARAMS = {"base": 5, "mid": 10, "high": 20, "mid_above": 100, "high_above": 1000}


def worker_sample_size(headcount: int, params: Mapping[str, int] = DEFAULT_WORKER_PARAMS) -> int:
    """All workers if there are at most ``base``; else ``base``, ``mid`` above ``mid_above``
    workers and ``high`` above ``high_above`` (SPEC §10.3 "above": more than, so 100 → 5)."""
    if headcount <= params["base"]:
        return headcount
    if headcount > params["high_above"]:
        return min(headcount, params["high"])
    if headcount > params["mid_above"]:
        return min(headcount, params["mid"])
    return params["base"]


def draw_workers(
    *, seed: int, uscc: str, id_numbers: Iterable[str], params=DEFAULT_WORKER_PARAMS
) -> set[str]:
    """The ID numbers of the workers drawn from a roster: ordered by SHA-256 of
    "<seed>:<uscc>:<id number>", the first ``worker_sample_size`` of them."""
    ids = list(id_numbers)
    size = worker_sample_size(len(ids), params)
    return set(heapq.nsmallest(size, ids, key=lambda i: rank(seed, f"{uscc}:{i}")))
