"""The patrol draw (双随机, SPEC §11): a pure function of the seed, the ratios per grade, the
candidate employers and the jurisdiction's inspectors — no ORM, no clock, no I/O.

How it draws, so that anyone can re-run it by hand (the plan page says the same):

1. Candidates are grouped by the grade used for the ratio (the latest published grade; "" when
   there is none). Each group of n employers contributes k = quota(grade, n, ratio) of them.
2. Within a group, every employer gets the key SHA-256("<seed>:<USCC>") (hexadecimal); the k
   employers with the smallest keys are drawn.
3. For each drawn employer, the inspectors who may inspect it (their jurisdiction contains the
   employer's jurisdiction or street) get the key SHA-256("<seed>:<USCC>:<username>"); the two
   with the smallest keys are assigned — two different people by construction.
4. Rows are listed by USCC.

SHA-256 rather than ``random.Random``: Python documents ``random.sample`` as free to change
between versions, and a plan must be re-drawn identically years later, by anyone, with any tool.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from employers.paths import in_subtree

GRADES = ("A", "B", "C", "D", "")  # "" = no published grade (未评级)
INSPECTORS_PER_EMPLOYER = 2
REASON_RATIO = "ratio"
CSV_COLUMNS = ["uscc", "name", "grade", "reason", "inspectors"]

# Rounding of n × ratio (interpretation, seed 003 四(五), seed 000 第十七条(二), seed 002 四(四)3):
# C and D are key supervision objects whose ratio is raised — at least the ratio, rounded up;
# the other grades are rounded to the nearest whole employer (half up, 四舍五入).
ROUND_UP_GRADES = frozenset({"C", "D"})


class DrawError(Exception):
    """The draw cannot be made from these inputs (the message is Chinese, for the user)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    uscc: str
    name: str
    grade: str  # "A".."D", or "" when the employer has no published grade
    # Jurisdiction paths the employer belongs to: its jurisdiction's and its street's.
    paths: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Inspector:
    username: str
    path: str  # the path of the inspector's own jurisdiction

    def covers(self, candidate: Candidate) -> bool:
        return any(in_subtree(p, self.path) for p in candidate.paths)


@dataclass(frozen=True, slots=True)
class PatrolRow:
    uscc: str
    name: str
    grade: str
    reason: str
    inspectors: tuple[str, ...]  # usernames, in draw order

    def as_csv(self) -> list[str]:
        return [self.uscc, self.name, self.grade, self.reason, ";".join(self.inspectors)]


@dataclass(frozen=True)
class GroupCount:
    grade: str
    candidates: int
    ratio: Decimal
    drawn: int


@dataclass(frozen=True)
class Draw:
    rows: tuple[PatrolRow, ...]
    counts: tuple[GroupCount, ...]  # one per grade, in GRADES order
    candidates_sha256: str  # of the candidate list as drawn from (USCC and grade, by USCC)
    inspectors_sha256: str  # of the inspector list (username and jurisdiction path)


def quota(grade: str, candidates: int, ratio: Decimal | int | str) -> int:
    """How many of ``candidates`` employers of ``grade`` are drawn at ``ratio`` per cent."""
    ratio = Decimal(str(ratio))
    if candidates <= 0 or ratio <= 0:
        return 0
    exact = Decimal(candidates) * ratio / Decimal(100)
    rounding = ROUND_CEILING if grade in ROUND_UP_GRADES else ROUND_HALF_UP
    return min(candidates, int(exact.quantize(Decimal(1), rounding=rounding)))


def _digest(lines: Iterable[str]) -> str:
    h = hashlib.sha256()
    for line in lines:
        h.update(line.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def draw_patrol(
    *,
    seed: int,
    ratios: Mapping[str, Decimal | int | str],
    candidates: Iterable[Candidate],
    inspectors: Iterable[Inspector],
) -> Draw:
    """Draw the employers of a patrol plan and two inspectors for each (see the module doc).

    ``ratios`` maps each grade of GRADES to a percentage (0–100); a grade missing from it is not
    drawn. Raises DrawError when a drawn employer has fewer than two inspectors who may inspect
    it.
    """
    by_uscc: dict[str, Candidate] = {}
    for candidate in candidates:
        if candidate.uscc in by_uscc:
            raise DrawError(
                _("统一社会信用代码“%(uscc)s”在候选名单中出现了两次") % {"uscc": candidate.uscc}
            )
        by_uscc[candidate.uscc] = candidate
    staff = sorted(set(inspectors), key=lambda i: (i.username, i.path))
    usernames = [i.username for i in staff]
    if len(set(usernames)) != len(usernames):
        raise DrawError(_("检查人员名单中有重复的用户名"))

    groups: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in by_uscc.values():
        if candidate.grade not in GRADES:
            raise DrawError(
                _("等级“%(grade)s”无效（%(uscc)s）")
                % {"grade": candidate.grade, "uscc": candidate.uscc}
            )
        groups[candidate.grade].append(candidate)

    # Keys compare as raw digests: the same order as their hexadecimal form on the page.
    sha256 = hashlib.sha256
    prefix = f"{seed}:"
    counts = []
    drawn: list[Candidate] = []
    for grade in GRADES:
        group = groups.get(grade, [])
        ratio = Decimal(str(ratios.get(grade, 0)))
        k = quota(grade, len(group), ratio)
        if k:
            ranked = sorted(
                group, key=lambda c: (sha256((prefix + c.uscc).encode("utf-8")).digest(), c.uscc)
            )
            drawn.extend(ranked[:k])
        counts.append(GroupCount(grade, len(group), ratio, k))

    eligible_by_paths: dict[tuple[str, ...], list[Inspector]] = {}
    rows = []
    for candidate in sorted(drawn, key=lambda c: c.uscc):
        eligible = eligible_by_paths.get(candidate.paths)
        if eligible is None:
            eligible = eligible_by_paths[candidate.paths] = [
                i for i in staff if i.covers(candidate)
            ]
        if len(eligible) < INSPECTORS_PER_EMPLOYER:
            raise DrawError(
                _(
                    "“%(name)s”（%(uscc)s）所在辖区只有 %(n)d 名监察员，"
                    "每家单位须由 %(k)d 名不同的监察员检查"
                )
                % {
                    "name": candidate.name,
                    "uscc": candidate.uscc,
                    "n": len(eligible),
                    "k": INSPECTORS_PER_EMPLOYER,
                }
            )
        base = f"{prefix}{candidate.uscc}:"
        chosen = sorted(
            eligible,
            key=lambda i: (sha256((base + i.username).encode("utf-8")).digest(), i.username),
        )[:INSPECTORS_PER_EMPLOYER]
        rows.append(
            PatrolRow(
                uscc=candidate.uscc,
                name=candidate.name,
                grade=candidate.grade,
                reason=REASON_RATIO,
                inspectors=tuple(i.username for i in chosen),
            )
        )
    return Draw(
        rows=tuple(rows),
        counts=tuple(counts),
        candidates_sha256=_digest(f"{u},{by_uscc[u].grade}" for u in sorted(by_uscc)),
        inspectors_sha256=_digest(f"{i.username},{i.path}" for i in staff),
    )


def csv_bytes(rows: Iterable[PatrolRow]) -> bytes:
    """The plan as CSV (SPEC §9: ``uscc,name,grade,reason,inspectors``): UTF-8 with BOM and CRLF
    as the project's other exports, a cell that a spreadsheet would run as a formula prefixed
    with an apostrophe. The same rows give the same bytes."""
    from employers.tabular import csv_bytes as table_bytes

    return table_bytes(CSV_COLUMNS, (row.as_csv() for row in rows))


def read_csv(data: bytes) -> list[list[str]]:
    """The rows of a plan file (header included), for tests and for checking a file by hand."""
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))
