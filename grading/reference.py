"""Reference data: which rule set grades whom (SPEC §5, §5.5), shared by the data migration and
the post_migrate hook (a transactional test's flush empties the table; post_migrate restores it,
as employers.reference does for jurisdictions).

- 郏县 (jiaxian), 西青区 (xiqing), 江津区 (jiangjin): their own rule set for every kind of employer
  (jiangjin's own U rules leave non-enterprises and employers without inspection ungraded);
- 许昌市 (xuchang): its rule set for human-resources service agencies only ([r2]: and job
  agencies, 职业介绍机构). Interpretation: the
  other employers of 许昌 have no assignment of their own, so the engine records them as not
  graded under xuchang with its scope rule xuchang.U.1 (see grading.assignments).

A new jurisdiction or a new version of a regulation is one more row here plus a migration that
loads it, never a change of the engine.
"""

import datetime

# (jurisdiction code, employer kind or "" for all, rule set code, version, effective from)
ASSIGNMENTS = [
    ("jiaxian", "", "jiaxian", "1", datetime.date(2021, 1, 1)),
    ("xiqing", "", "xiqing", "1", datetime.date(2018, 1, 1)),
    ("jiangjin", "", "jiangjin", "1", datetime.date(2017, 1, 1)),
    ("xuchang", "hr_agency", "xuchang", "1", datetime.date(2023, 1, 1)),
    # SPEC §5.4 [r2]: 职业介绍机构 are graded by xuchang as well (version 2 covers them).
    ("xuchang", "job_agency", "xuchang", "2", datetime.date(2023, 1, 1)),
]


def ensure_assignments(Jurisdiction, RuleSetAssignment) -> None:
    """Create the reference assignments that are missing (models passed in: the migration gives
    historical ones)."""
    for code, kind, ruleset, version, start in ASSIGNMENTS:
        jurisdiction = Jurisdiction.objects.filter(code=code).first()
        if jurisdiction is None:
            continue
        RuleSetAssignment.objects.get_or_create(
            jurisdiction=jurisdiction,
            employer_kind=kind,
            ruleset_code=ruleset,
            ruleset_version=version,
            defaults={"effective_from": start},
        )
