"""The patrol draw as a pure function (SPEC §11): ratios at small counts, the inspector draw, and
reproducibility. No database."""

import hashlib
import itertools
from decimal import Decimal

import pytest

from supervision.sampling import (
    Candidate,
    DrawError,
    Inspector,
    csv_bytes,
    draw_patrol,
    quota,
    read_csv,
)

# (grade, candidates, ratio %, expected drawn): C and D round up, the others half up.
QUOTAS = [
    ("A", 0, 5, 0),
    ("A", 1, 5, 0),  # 0.05 → 0
    ("A", 9, 5, 0),  # 0.45 → 0
    ("A", 10, 5, 1),  # 0.5 → 1 (half up)
    ("A", 30, 5, 2),  # 1.5 → 2
    ("A", 100, 0, 0),  # exempt
    ("B", 1, 15, 0),  # 0.15 → 0
    ("B", 3, 15, 0),  # 0.45 → 0
    ("B", 4, 15, 1),  # 0.6 → 1
    ("B", 7, 15, 1),  # 1.05 → 1
    ("B", 10, 15, 2),  # 1.5 → 2
    ("C", 1, 50, 1),  # 0.5 → 1 (up)
    ("C", 3, 50, 2),  # 1.5 → 2
    ("C", 4, 50, 2),
    ("D", 1, 50, 1),
    ("D", 1, 1, 1),  # 0.01 → 1: a D employer is never left out at a non-zero ratio
    ("D", 5, 100, 5),
    ("", 7, 15, 1),  # no published grade: half up like B
    ("C", 2, 0, 0),
    ("B", 3, "33.34", 1),  # 1.0002 → 1
    ("C", 3, "33.34", 2),  # 1.0002 → 2 (up)
]


@pytest.mark.parametrize(("grade", "n", "ratio", "expected"), QUOTAS)
def test_quota_at_small_counts(grade, n, ratio, expected):
    assert quota(grade, n, Decimal(str(ratio))) == expected


def _candidates(counts, path="p/jiaxian"):
    serial = itertools.count(1)
    out = []
    for grade, n in counts.items():
        for _ in range(n):
            k = next(serial)
            out.append(Candidate(f"U{k:017d}", f"单位{k}", grade, (path,)))
    return out


STAFF = [Inspector(f"insp{k}", "p/jiaxian") for k in range(4)]
RATIOS = {"A": 5, "B": 15, "C": 50, "D": 50, "": 15}


def test_drawn_counts_follow_the_ratios_per_grade():
    candidates = _candidates({"A": 9, "B": 7, "C": 3, "D": 1, "": 4})
    draw = draw_patrol(seed=7, ratios=RATIOS, candidates=candidates, inspectors=STAFF)
    by_grade = {c.grade: (c.candidates, c.drawn) for c in draw.counts}
    assert by_grade == {"A": (9, 0), "B": (7, 1), "C": (3, 2), "D": (1, 1), "": (4, 1)}
    drawn_grades = sorted(r.grade for r in draw.rows)
    assert drawn_grades == sorted(["B", "C", "C", "D", ""])


def test_a_at_zero_draws_no_a_employer():
    candidates = _candidates({"A": 50, "B": 10})
    for seed in range(20):
        draw = draw_patrol(
            seed=seed, ratios={**RATIOS, "A": 0}, candidates=candidates, inspectors=STAFF
        )
        assert not [r for r in draw.rows if r.grade == "A"]


def test_two_different_inspectors_per_employer_never_from_outside():
    inside = [Inspector(f"in{k}", "p/jiaxian") for k in range(3)]
    street = Inspector("street_longshan", "p/jiaxian/longshan")
    elsewhere = [Inspector("out_xiqing", "t/xiqing"), Inspector("out_street", "p/jiaxian/anliang")]
    candidates = _candidates({"C": 20}) + [
        Candidate(f"S{k:017d}", f"龙山{k}", "C", ("p/jiaxian", "p/jiaxian/longshan"))
        for k in range(20)
    ]
    for seed in range(50):
        draw = draw_patrol(
            seed=seed,
            ratios={"C": 100},
            candidates=candidates,
            inspectors=inside + [street] + elsewhere,
        )
        assert len(draw.rows) == 40
        for row in draw.rows:
            assert len(row.inspectors) == 2 and row.inspectors[0] != row.inspectors[1]
            assert not {"out_xiqing", "out_street"} & set(row.inspectors)
            if row.uscc.startswith("U"):  # not in 龙山街道: the street's inspector cannot go
                assert "street_longshan" not in row.inspectors
    # …while a street inspector does get tasks in the street.
    assigned = {
        u
        for seed in range(50)
        for r in draw_patrol(
            seed=seed, ratios={"C": 100}, candidates=candidates, inspectors=inside + [street]
        ).rows
        for u in r.inspectors
    }
    assert "street_longshan" in assigned


def test_an_employer_with_one_inspector_cannot_be_drawn():
    with pytest.raises(DrawError, match="只有 1 名监察员"):
        draw_patrol(
            seed=1,
            ratios={"C": 100},
            candidates=_candidates({"C": 1}),
            inspectors=[Inspector("alone", "p/jiaxian"), Inspector("away", "t/xiqing")],
        )


def test_same_seed_same_bytes_other_seed_other_draw():
    candidates = _candidates({"A": 40, "B": 40, "C": 10, "D": 5, "": 5})
    first = csv_bytes(
        draw_patrol(seed=2024, ratios=RATIOS, candidates=candidates, inspectors=STAFF).rows
    )
    again = csv_bytes(
        draw_patrol(
            seed=2024,
            ratios=RATIOS,
            candidates=list(reversed(candidates)),  # the order of the inputs does not matter
            inspectors=list(reversed(STAFF)),
        ).rows
    )
    other = csv_bytes(
        draw_patrol(seed=2025, ratios=RATIOS, candidates=candidates, inspectors=STAFF).rows
    )
    assert first == again
    assert first != other
    rows = read_csv(first)
    assert rows[0] == ["uscc", "name", "grade", "reason", "inspectors"]
    assert [r[0] for r in rows[1:]] == sorted(r[0] for r in rows[1:])
    assert all(r[3] == "ratio" and len(r[4].split(";")) == 2 for r in rows[1:])


def test_the_draw_is_what_the_page_says():
    """Re-done by hand from the documented rule: smallest SHA-256("seed:USCC") per grade."""
    candidates = _candidates({"C": 6})
    draw = draw_patrol(seed=99, ratios={"C": 50}, candidates=candidates, inspectors=STAFF)

    def key(*parts):
        return hashlib.sha256(":".join(parts).encode()).hexdigest()

    expected = sorted(sorted(c.uscc for c in candidates), key=lambda u: key("99", u))[:3]
    assert [r.uscc for r in draw.rows] == sorted(expected)
    for row in draw.rows:
        by_key = sorted((i.username for i in STAFF), key=lambda u: key("99", row.uscc, u))
        assert list(row.inspectors) == by_key[:2]


def test_a_cell_that_looks_like_a_formula_is_neutralised():
    candidates = [Candidate("U00000000000000001", "=HYPERLINK(1)", "C", ("p/jiaxian",))]
    data = csv_bytes(
        draw_patrol(seed=1, ratios={"C": 100}, candidates=candidates, inspectors=STAFF).rows
    )
    assert read_csv(data)[1][1] == "'=HYPERLINK(1)"
