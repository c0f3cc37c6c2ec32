"""The draws as pure functions (SPEC §10.1, §10.3; seed 002 三(一)1): bounds, rounding at small
counts, key industries, reproducibility."""

import hashlib

import pytest

from written_review import sampling
from written_review.sampling import Candidate, check_ratios, draw, sample_size

LEGAL = {"A": 3, "B": 50, "C": 95, "D": 95, "": 10}


# (grade, candidates of that grade, ratio %, expected sample size) — written by hand:
# A and B round down, C, D and ungraded round up.
SIZES = [
    ("A", 1, 3, 0),
    ("A", 2, 3, 0),
    ("A", 33, 3, 0),  # 0.99
    ("A", 34, 3, 1),  # 1.02
    ("A", 100, 3, 3),
    ("A", 34, 0, 0),
    ("B", 1, 50, 0),  # 0.5
    ("B", 2, 50, 1),
    ("B", 33, 50, 16),  # 16.5
    ("B", 34, 50, 17),
    ("B", 33, 30, 9),  # 9.9
    ("C", 1, 95, 1),  # 0.95
    ("C", 2, 95, 2),  # 1.9
    ("C", 33, 95, 32),  # 31.35
    ("C", 34, 95, 33),  # 32.3
    ("C", 20, 95, 19),  # exactly 19
    ("C", 34, 100, 34),
    ("D", 1, 95, 1),
    ("D", 2, 95, 2),
    ("D", 33, 95, 32),
    ("D", 34, 95, 33),
    ("", 1, 10, 1),  # 0.1
    ("", 2, 10, 1),
    ("", 33, 10, 4),  # 3.3
    ("", 34, 10, 4),
    ("", 34, 0, 0),
    ("B", 3, "33.33", 0),  # 0.9999
    ("C", 3, "95.5", 3),  # 2.865
]


@pytest.mark.parametrize(("grade", "count", "ratio", "expected"), SIZES)
def test_sample_size_rounding(grade, count, ratio, expected):
    assert sample_size(grade, count, ratio) == expected


def _candidates(grade, n, prefix="E", industry="manufacturing"):
    return [
        Candidate(f"{prefix}{grade or 'U'}{i:04d}", f"单位{i}", grade, industry) for i in range(n)
    ]


@pytest.mark.parametrize(("grade", "count", "ratio", "expected"), SIZES)
def test_draw_takes_that_many_of_the_group(grade, count, ratio, expected):
    ratios = dict(LEGAL)
    ratios[grade] = ratio
    sample = draw(ratios=ratios, seed=11, candidates=_candidates(grade, count))
    assert len(sample) == expected
    assert {d.reason for d in sample} <= {"ratio"}


# (grade, ratio %, accepted?) at and beyond the legal bounds.
BOUNDS = [
    ("A", "3", True),
    ("A", "3.01", False),
    ("A", "0", True),
    ("B", "50", True),
    ("B", "50.01", False),
    ("C", "95", True),
    ("C", "94.99", False),
    ("C", "100", True),
    ("C", "100.01", False),
    ("D", "94", False),
    ("D", "95", True),
    ("", "0", True),
    ("", "100", True),
    ("", "-1", False),
    ("A", "-0.01", False),
]


@pytest.mark.parametrize(("grade", "ratio", "accepted"), BOUNDS)
def test_ratios_are_held_to_the_legal_bounds(grade, ratio, accepted):
    ratios = dict(LEGAL)
    ratios[grade] = ratio
    if accepted:
        assert check_ratios(ratios)[grade] == sampling.Decimal(ratio)
    else:
        with pytest.raises(sampling.RatioError) as exc:
            check_ratios(ratios)
        assert ratio.lstrip("-") in str(exc.value)


def test_a_ratio_that_is_not_a_number_is_refused():
    with pytest.raises(sampling.RatioError, match="不是数字"):
        check_ratios({**LEGAL, "B": "五十"})


def test_key_industries_are_always_included_whatever_their_grade():
    key = [
        Candidate("K1", "人力公司", "A", "hr_services"),
        Candidate("K2", "建筑公司", "A", "construction"),
        Candidate("K3", "运输公司", "", "transport"),
        Candidate("K4", "平台公司", "B", "internet_platform"),
    ]
    others = _candidates("A", 10)
    sample = draw(ratios={**LEGAL, "": 0}, seed=3, candidates=others + key)
    reasons = {d.uscc: d.reason for d in sample}
    # A at 3 % of 13 rounds to 0: only the key industries are drawn, each for that reason.
    assert reasons == {"K1": "key_industry", "K2": "key_industry", "K3": "key_industry",
                       "K4": "key_industry"}  # fmt: skip


def test_a_key_industry_employer_drawn_by_ratio_keeps_the_ratio_reason():
    candidates = [Candidate("K1", "建筑公司", "C", "construction")]
    assert [d.reason for d in draw(ratios=LEGAL, seed=1, candidates=candidates)] == ["ratio"]


def test_manual_additions_are_added_once_with_their_reason():
    candidates = _candidates("C", 2)
    manual = [Candidate("M1", "人工一", ""), Candidate(candidates[0].uscc, "重复", "C")]
    sample = draw(ratios=LEGAL, seed=5, candidates=candidates, manual=manual)
    assert [(d.uscc, d.reason) for d in sample] == [
        (candidates[0].uscc, "ratio"),
        (candidates[1].uscc, "ratio"),
        ("M1", "manual"),
    ]


def test_the_draw_follows_the_published_hash_rule():
    """Within a group the candidates with the smallest SHA-256("seed:uscc") are drawn."""
    candidates = _candidates("B", 10)
    sample = draw(ratios=LEGAL, seed=2024, candidates=candidates)
    by_hash = sorted(
        candidates, key=lambda c: hashlib.sha256(f"2024:{c.uscc}".encode()).hexdigest()
    )
    assert {d.uscc for d in sample} == {c.uscc for c in by_hash[:5]}


def test_same_seed_same_bytes_other_seed_other_list():
    candidates = (
        _candidates("A", 40) + _candidates("B", 40) + _candidates("C", 7) + _candidates("", 30)
    )
    first = sampling.sample_csv(draw(ratios=LEGAL, seed=99, candidates=candidates))
    again = sampling.sample_csv(draw(ratios=LEGAL, seed=99, candidates=list(reversed(candidates))))
    other = sampling.sample_csv(draw(ratios=LEGAL, seed=100, candidates=candidates))
    assert first == again
    assert first != other
    assert first.startswith(b"\xef\xbb\xbfuscc,name,grade,reason\r\n")


def test_streamed_draw_equals_listed_draw():
    candidates = _candidates("B", 50) + _candidates("C", 9)
    counts = {"B": 50, "C": 9}
    assert draw(ratios=LEGAL, seed=4, candidates=iter(candidates), counts=counts) == draw(
        ratios=LEGAL, seed=4, candidates=candidates
    )


# Workers drawn by headcount (SPEC §10.3): all if ≤ 5, else 5, 10 above 100, 20 above 1,000.
WORKERS = [(0, 0), (1, 1), (5, 5), (6, 5), (100, 5), (101, 10), (1000, 10), (1001, 20), (5000, 20)]


@pytest.mark.parametrize(("headcount", "expected"), WORKERS)
def test_worker_sample_size(headcount, expected):
    assert sampling.worker_sample_size(headcount) == expected


def test_workers_are_drawn_reproducibly():
    ids = [f"ID{i:03d}" for i in range(120)]
    first = sampling.draw_workers(seed=8, uscc="U1", id_numbers=ids)
    assert len(first) == 10
    assert first == sampling.draw_workers(seed=8, uscc="U1", id_numbers=list(reversed(ids)))
    assert first != sampling.draw_workers(seed=9, uscc="U1", id_numbers=ids)
