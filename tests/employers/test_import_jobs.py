"""Imports as background jobs (issue 14, items 7 and 8): check and write as tasks with
progress, all or nothing, once however often they are confirmed, unconfirmed uploads cleaned up,
one batched regrade per records file, and a CSV mixing two encodings refused at its row."""

import datetime as dt
import io
import os
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from credit_records.models import AuditEntry, CreditRecord
from credit_records.services import import_records
from employers import import_jobs
from employers.choices import ImportJobStatus
from employers.models import Employer, ImportJob
from employers.services import confirm_import, import_employers, start_import
from grading.models import CurrentGrade
from tests.factories import EmployerFactory, jurisdiction

DATA = Path(__file__).resolve().parent.parent / "data"


def records_csv(employers, per_employer=2) -> bytes:
    lines = ["uscc,kind,date,result,case_no"]
    for e in employers:
        for i in range(per_employer):
            lines.append(f"{e.uscc},patrol_inspection,2024-0{i + 1}-10,no_issue,JOB-{e.pk}-{i}")
    return ("\n".join(lines) + "\n").encode()


def upload(name, data: bytes):
    return SimpleUploadedFile(name, data)


# --- the mixed-encoding file (item 8) ----------------------------------------------------------


@pytest.mark.django_db
def test_a_file_mixing_utf8_and_gb18030_is_refused_at_its_row():
    assert import_employers(
        path=DATA / "employers_good_gb18030.csv", filename="employers_good_gb18030.csv"
    ).ok
    before = dict(Employer.objects.values_list("uscc", "name"))
    report = import_employers(
        path=DATA / "employers_mixed_encoding.csv", filename="employers_mixed_encoding.csv"
    )
    assert not report.ok
    [problem] = report.problems
    assert problem.row == 3 and "编码" in problem.message and "UTF-8" in problem.message
    assert str(problem).startswith("row 3, -: ")
    # Nobody was renamed to mojibake.
    assert dict(Employer.objects.values_list("uscc", "name")) == before


@pytest.mark.django_db
def test_the_records_command_refuses_a_mixed_file_with_exit_1():
    for uscc in ("91410425MA9JX0001B", "91410425MA9JX0002E", "52410425MJ9JX00033"):
        EmployerFactory(uscc=uscc)
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "import_records",
            str(DATA / "records_mixed_encoding.csv"),
            stderr=err,
            stdout=io.StringIO(),
        )
    assert exit_.value.code == 1
    assert "row 5, -: " in err.getvalue() and "编码" in err.getvalue()
    assert not CreditRecord.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["employers_good_gb18030.csv", "employers_good_utf8.csv", "employers_good_bom.csv"]
)
def test_files_in_one_encoding_are_still_read(name):
    assert import_employers(path=DATA / name, filename=name).ok


# --- the job: check, confirm, write ------------------------------------------------------------


@pytest.mark.django_db
def test_the_check_and_the_write_run_as_tasks_with_progress(
    client, inspector, django_capture_on_commit_callbacks, settings
):
    employers = [EmployerFactory(jurisdiction=jurisdiction("jiaxian")) for _ in range(3)]
    client.force_login(inspector)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("credit_records:import"), {"file": upload("r.csv", records_csv(employers))}
        )
    job = ImportJob.objects.get()
    # The request only stored the file and queued the check.
    assert response.status_code == 302 and response.url == reverse("imports:job", args=[job.pk])
    assert job.status == ImportJobStatus.UPLOADED and job.rows_estimate == 6
    assert import_jobs.stored_path(job).exists()
    assert not str(import_jobs.stored_path(job)).startswith(settings.MEDIA_ROOT)  # private
    page = client.get(response.url).content.decode()
    assert 'http-equiv="refresh"' in page and "正在逐行校验" in page
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == ImportJobStatus.READY and job.report["created"] == 6
    assert import_jobs.progress_of(job)["rows"] == 6
    assert not CreditRecord.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE and CreditRecord.objects.count() == 6
    assert not import_jobs.stored_path(job).exists()  # the upload is gone once imported


@pytest.mark.django_db
def test_the_progress_page_shows_how_far_the_write_is(client, inspector):
    employers = [EmployerFactory() for _ in range(2)]
    job = start_import(
        kind="records", upload=upload("r.csv", records_csv(employers)), actor=inspector
    )
    import_jobs.run(job.pk, "check")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.WRITING)
    import_jobs._reporter(job)(2, "write")
    client.force_login(inspector)
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "已写入 2 行" in page and "width: 50%" in page


@pytest.mark.django_db
def test_a_failed_write_leaves_nothing_and_can_be_retried(inspector, monkeypatch):
    from credit_records import ledger

    employers = [EmployerFactory() for _ in range(3)]
    job = start_import(
        kind="records", upload=upload("r.csv", records_csv(employers)), actor=inspector
    )
    import_jobs.run(job.pk, "check")
    confirm_import(job=job, actor=inspector)
    real = ledger.append_rows

    def crash_midway(rows, **kwargs):
        rows = iter(rows)
        real(iter([next(rows), next(rows)]), **kwargs)  # two entries written…
        raise OSError("disk full")  # …then the worker's disk fills up

    monkeypatch.setattr(ledger, "append_rows", crash_midway)
    assert import_jobs.run(job.pk, "write") == ImportJobStatus.FAILED
    assert not CreditRecord.objects.exists()
    assert not AuditEntry.objects.filter(action="credit_records.import").exists()
    job.refresh_from_db()
    assert "未写入任何数据" in job.error
    monkeypatch.setattr(ledger, "append_rows", real)
    confirm_import(job=job, actor=inspector)  # "重试导入"
    assert import_jobs.run(job.pk, "write") == ImportJobStatus.DONE
    assert CreditRecord.objects.count() == 6


@pytest.mark.django_db
def test_only_the_uploader_confirms_and_only_once(inspector, supervisor):
    employers = [EmployerFactory()]
    job = start_import(
        kind="records", upload=upload("r.csv", records_csv(employers)), actor=inspector
    )
    import_jobs.run(job.pk, "check")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        confirm_import(job=job, actor=supervisor)
    confirm_import(job=job, actor=inspector)
    with pytest.raises(ValidationError, match="不能确认导入"):
        confirm_import(job=job, actor=inspector)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_import_confirmed_twice_at_once_writes_once(inspector):
    """Two confirms and two write tasks racing (a double click, a redelivered task): one
    writes, the other finds the job done."""
    employers = [EmployerFactory() for _ in range(20)]
    job = start_import(
        kind="records", upload=upload("r.csv", records_csv(employers, 5)), actor=inspector
    )
    import_jobs.run(job.pk, "check")
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def confirm_and_write():
        try:
            barrier.wait()
            try:
                confirm_import(job=job, actor=inspector)
                outcomes.append("confirmed")
            except ValidationError:
                outcomes.append("refused")
            barrier.wait()
            outcomes.append(import_jobs.run(job.pk, "write"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm_and_write) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(outcomes[:2]) == ["confirmed", "refused"]
    assert outcomes[2:] == [ImportJobStatus.DONE, ImportJobStatus.DONE]
    assert CreditRecord.objects.count() == 100
    assert AuditEntry.objects.filter(action="credit_records.import").count() == 1


@pytest.mark.django_db
def test_an_employers_import_runs_the_same_way(inspector):
    lines = (DATA / "employers_good_gb18030.csv").read_bytes().splitlines(keepends=True)
    job = start_import(
        kind="employers", upload=upload("e.csv", b"".join(lines[:3])), actor=inspector
    )
    assert import_jobs.run(job.pk, "check") == ImportJobStatus.READY
    assert Employer.objects.count() == 0
    confirm_import(job=job, actor=inspector)
    assert import_jobs.run(job.pk, "write") == ImportJobStatus.DONE
    assert Employer.objects.count() == 2
    assert AuditEntry.objects.filter(action="employers.import").count() == 1


# --- batched regrade (issue 15's item, in the import) ------------------------------------------


@pytest.mark.django_db
def test_a_records_import_queues_one_batched_regrade(
    monkeypatch, django_capture_on_commit_callbacks
):
    from grading import tasks

    employers = [EmployerFactory(jurisdiction=jurisdiction("jiaxian")) for _ in range(7)]
    batched, single = [], []
    real = tasks.regrade_imported_task.delay
    monkeypatch.setattr(
        tasks.regrade_imported_task, "delay", lambda *a: batched.append(a) or real(*a)
    )
    monkeypatch.setattr(tasks.regrade_employer_task, "delay", lambda *a: single.append(a))
    monkeypatch.setattr("grading.services.IMPORT_REGRADE_BATCH", 3)
    with django_capture_on_commit_callbacks(execute=True):
        report = import_records(data=records_csv(employers), filename="r.csv")
    assert report.ok and report.created == 14
    assert len(batched) == 1 and single == []
    assert CurrentGrade.objects.filter(employer__in=employers).count() == 7
    # three batches of at most three employers, each audited once
    assert AuditEntry.objects.filter(action="grading.live_regrade_batch").count() == 3


# --- cleaning up -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_unconfirmed_uploads_are_deleted_after_their_time(inspector, settings, tmp_path):
    settings.IMPORT_UPLOAD_ROOT = str(tmp_path)
    employers = [EmployerFactory()]
    waiting = start_import(
        kind="records", upload=upload("r.csv", records_csv(employers)), actor=inspector
    )
    import_jobs.run(waiting.pk, "check")
    fresh = start_import(
        kind="records", upload=upload("f.csv", records_csv(employers)), actor=inspector
    )
    stray = tmp_path / "stray.csv"
    stray.write_bytes(b"left behind")
    old = (timezone.now() - dt.timedelta(hours=30)).timestamp()
    os.utime(stray, (old, old))
    ImportJob.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=25)
    )
    from employers.tasks import tidy_imports

    result = tidy_imports.apply().get()
    assert result["deleted_files"] == 2
    waiting.refresh_from_db()
    assert waiting.status == ImportJobStatus.EXPIRED
    assert not import_jobs.stored_path(waiting).exists() and not stray.exists()
    assert import_jobs.stored_path(fresh).exists()
    assert "employers-tidy-imports" in settings.CELERY_BEAT_SCHEDULE


@pytest.mark.django_db
def test_a_lost_task_is_sent_again(inspector, monkeypatch):
    from employers import tasks

    job = start_import(kind="records", upload=upload("r.csv", b"uscc,kind,date\n"), actor=inspector)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    sent = []
    monkeypatch.setattr(tasks.run_import_job, "delay", lambda *a: sent.append(a))
    assert tasks.tidy_imports.apply().get()["resent"] == 1
    assert sent == [(str(job.pk), "check")]
