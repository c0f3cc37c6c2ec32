"""Reference data: which rule set grades whom (SPEC §5, §5.5).

- 郏县 (jiaxian), 西青区 (xiqing), 江津区 (jiangjin): their own rule set for every kind of employer
  (jiangjin's own U rules leave non-enterprises and employers without inspection ungraded);
- 许昌市 (xuchang): its rule set for human-resources service agencies only. Interpretation: the
  other employers of 许昌 have no assignment of their own, so the engine records them as not
  graded under xuchang with its scope rule xuchang.U.1 (see grading.assignments).

A new jurisdiction or a new version of a regulation is one more row here (a new migration), never
a change of the engine.
"""

import datetime

from django.db import migrations

# (jurisdiction code, employer kind or "" for all, rule set code, version, effective from)
ASSIGNMENTS = [
    ("jiaxian", "", "jiaxian", "1", datetime.date(2021, 1, 1)),
    ("xiqing", "", "xiqing", "1", datetime.date(2018, 1, 1)),
    ("jiangjin", "", "jiangjin", "1", datetime.date(2017, 1, 1)),
    ("xuchang", "hr_agency", "xuchang", "1", datetime.date(2023, 1, 1)),
]


def load(apps, schema_editor):
    Jurisdiction = apps.get_model("employers", "Jurisdiction")
    RuleSetAssignment = apps.get_model("grading", "RuleSetAssignment")
    for code, kind, ruleset, version, start in ASSIGNMENTS:
        jurisdiction = Jurisdiction.objects.filter(code=code).first()
        if jurisdiction is None:
            continue
        RuleSetAssignment.objects.get_or_create(
            jurisdiction=jurisdiction, employer_kind=kind, ruleset_code=ruleset,
            ruleset_version=version, defaults={"effective_from": start},
        )


def unload(apps, schema_editor):
    RuleSetAssignment = apps.get_model("grading", "RuleSetAssignment")
    for code, kind, ruleset, version, _start in ASSIGNMENTS:
        RuleSetAssignment.objects.filter(
            jurisdiction__code=code, employer_kind=kind, ruleset_code=ruleset,
            ruleset_version=version,
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("grading", "0001_initial"),
        ("employers", "0002_reference_jurisdictions"),
    ]
    operations = [migrations.RunPython(load, unload)]
