"""Deadline lists and the nightly reminder task (SPEC §7): overdue and due within one working day,
marked and reminded once even when the task runs twice."""

import pytest
from django.core import mail

from employers.choices import Role
from objections import selectors, services
from objections.choices import ObjectionKind
from objections.models import Notification, Objection
from objections.tasks import run_deadline_reminders, send_deadline_reminders
from tests.factories import EmployerFactory, UserFactory, jurisdiction

from .helpers import D, penalty

pytestmark = pytest.mark.django_db


def file(employer, received_on, **kw):
    user = UserFactory(role=Role.EMPLOYER, employer=employer, jurisdiction=None)
    record = penalty(employer, D(2024, 9, 2), document_no=f"doc-{received_on}")
    return services.file_objection(
        actor=user,
        employer=employer,
        kind=ObjectionKind.RECORD,
        ground="error",
        reasons="x",
        record=record,
        today=received_on,
    )


@pytest.fixture
def cases(employer):
    late = file(employer, D(2024, 9, 27))  # due 2024-10-08
    soon = file(EmployerFactory(), D(2024, 10, 8))  # due 2024-10-11
    later = file(EmployerFactory(), D(2024, 10, 10))  # due 2024-10-15
    return late, soon, later


def test_lists_by_due_date(cases):
    late, soon, later = cases
    qs = Objection.objects.all()
    today = D(2024, 10, 10)  # Thursday: one working day ahead is Friday 10-11
    assert list(selectors.overdue(qs, today)) == [late]
    assert list(selectors.due_soon(qs, today)) == [soon]
    assert list(selectors.open_queue(qs)) == [late, soon, later]


def test_due_soon_reaches_over_the_weekend_make_up_day():
    employer = EmployerFactory()
    due_saturday = file(employer, D(2024, 10, 9))  # 10-10, 10-11, 10-12 (Sat, make-up)
    assert due_saturday.due_date == D(2024, 10, 12)
    assert list(selectors.due_soon(Objection.objects.all(), D(2024, 10, 11))) == [due_saturday]


def test_nightly_task_marks_overdue_and_reminds_once(cases):
    late, soon, later = cases
    inspector = UserFactory(role=Role.INSPECTOR, email="insp@example.com")
    supervisor = UserFactory(role=Role.SUPERVISOR, email="sup@example.com")
    outsider = UserFactory(
        role=Role.INSPECTOR, jurisdiction=jurisdiction("xiqing"), email="x@example.com"
    )
    first = run_deadline_reminders(D(2024, 10, 10))
    assert first["marked_overdue"] == 1
    assert Objection.objects.get(pk=late.pk).overdue
    assert not Objection.objects.get(pk=soon.pk).overdue
    # 2 items (late, soon) × 2 handlers of jiaxian
    assert first["reminders"] == 4
    assert set(Notification.objects.values_list("recipient", flat=True)) == {
        inspector.pk,
        supervisor.pk,
    }
    assert not Notification.objects.filter(recipient=outsider).exists()
    second = send_deadline_reminders("2024-10-10")
    assert second == {"marked_overdue": 0, "reminders": 0}
    assert Notification.objects.count() == 4


def test_reminder_emails_are_sent_after_commit(cases, django_capture_on_commit_callbacks):
    UserFactory(role=Role.INSPECTOR, email="insp@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        run_deadline_reminders(D(2024, 10, 10))
    with django_capture_on_commit_callbacks(execute=True):
        run_deadline_reminders(D(2024, 10, 10))
    assert len(mail.outbox) == 2  # late and soon, once each
    assert all(m.to == ["insp@example.com"] for m in mail.outbox)


def test_closed_items_are_not_reminded(cases, employer):
    late, soon, later = cases
    services.withdraw(actor=late.filed_by, case=late)
    UserFactory(role=Role.INSPECTOR)
    result = run_deadline_reminders(D(2024, 10, 10))
    assert result["marked_overdue"] == 0
    assert result["reminders"] == 1
