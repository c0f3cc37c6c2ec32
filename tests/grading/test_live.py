"""Live regrade: after a record is added, corrected or voided (after commit) the employer's
current grade changes at once, with a history entry naming the record."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from credit_records.models import AuditEntry
from grading.models import CurrentGrade, GradeChange
from grading.services import regrade_employer
from tests.factories import EmployerFactory, jurisdiction
from tests.grading.records import add, correct, void

pytestmark = pytest.mark.django_db


def days_ago(n):
    return timezone.localdate() - dt.timedelta(days=n)


def test_add_correct_void_regrade_at_once(django_capture_on_commit_callbacks):
    employer = EmployerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        record = add(employer, "violation", days_ago(10))
    current = CurrentGrade.objects.get(employer=employer)
    assert (current.grade, current.rules) == ("C", ["jiaxian.C.1"])
    assert current.as_of == timezone.localdate()
    change = GradeChange.objects.get(employer=employer)
    assert (change.old_grade, change.new_grade, change.record) == (None, "C", record)

    with django_capture_on_commit_callbacks(execute=True):
        corrected = correct(record, severity="major", rectification="not_rectified")
    # Still C under jiaxian: the grade did not change, so no history entry.
    assert GradeChange.objects.filter(employer=employer).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        voided = void(corrected)
    current.refresh_from_db()
    assert (current.grade, current.rules) == ("B", ["jiaxian.B.1"])
    latest = GradeChange.objects.filter(employer=employer).order_by("-id").first()
    assert (latest.old_grade, latest.new_grade, latest.record) == ("C", "B", voided)
    assert (
        AuditEntry.objects.filter(action="grading.live_regrade", object_id=str(employer.pk)).count()
        == 3
    )


def test_a_penalty_makes_d_and_the_measures_follow(django_capture_on_commit_callbacks):
    employer = EmployerFactory(jurisdiction=jurisdiction("jiaxian"))
    with django_capture_on_commit_callbacks(execute=True):
        add(employer, "administrative_penalty", days_ago(3), performance="pending")
    current = CurrentGrade.objects.get(employer=employer)
    assert (current.grade, current.rules) == ("D", ["jiaxian.D.1"])
    assert current.facts["outstanding"] == ["administrative_penalty:pending"]


def test_regrade_employer_is_idempotent():
    employer = EmployerFactory(jurisdiction=jurisdiction("xiqing"))
    first = regrade_employer(employer.pk)
    second = regrade_employer(employer.pk)
    assert [c.new_grade for c in first] == ["A"] and second == []
    assert CurrentGrade.objects.filter(employer=employer).count() == 1


def test_imported_records_regrade_their_employers(django_capture_on_commit_callbacks):
    from tests.grading.test_commands import DATA

    call_command("import_employers", str(DATA / "grading_employers.csv"), stdout=io.StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_records", str(DATA / "grading_records.csv"), stdout=io.StringIO())
    # Every employer with a record got a live grade (today: the 2024 records are old).
    # SPEC §4 [r2]: listed on 2022-06-01 without removal, the blacklisting expired on 2025-06-01,
    # so today's live grade no longer reads it (the 2024 cycle still does: test_commands).
    blacklisted = CurrentGrade.objects.get(employer__uscc="91410425MG0000004A")
    assert blacklisted.grade == "B" and blacklisted.rules == ["jiaxian.B.1"]
    lost = CurrentGrade.objects.get(employer__uscc="91410425MG00000125")
    assert lost.grade == "C" and "xuchang.C.4" in lost.rules


def test_moving_an_employer_drops_the_old_rule_set():
    employer = EmployerFactory(jurisdiction=jurisdiction("jiaxian"))
    regrade_employer(employer.pk)
    employer.jurisdiction = jurisdiction("xiqing")
    employer.save()
    regrade_employer(employer.pk)
    assert list(
        CurrentGrade.objects.filter(employer=employer).values_list("ruleset_code", flat=True)
    ) == ["xiqing"]
