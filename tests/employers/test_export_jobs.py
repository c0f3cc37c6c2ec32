"""Exports streamed or written by a background job (issue 15 item 1; issue 11 item 5): the same
bytes (CSV) and cells (XLSX) as the old whole-file output, constant memory, a job with progress
and a download for its requester, restartable after its worker died."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from employers import export_jobs
from employers.choices import ExportJobStatus, Role
from employers.models import ExportJob
from employers.resources import EMPLOYER_COLUMNS
from employers.tabular import csv_bytes, csv_lines, write_csv, write_xlsx, xlsx_bytes

from ..factories import EmployerFactory, UserFactory, jurisdiction

ROWS = [
    ["91410425MA0000001X", '=HYPERLINK("x")', 12, None, "地址，含逗号", '引号"内'],
    ["91410425MA0000002X", "宏达公司", 0, "", "多行\n地址", "+86 1"],
    ["91410425MA0000003X", "@SUM(A1)", -3, "-1", "", "\t制表"],
]
HEADERS = ["uscc", "name", "n", "a", "b", "c"]


def _cells(data) -> list[list]:
    sheet = load_workbook(data if not isinstance(data, bytes) else io.BytesIO(data)).active
    return [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize("rows", [ROWS, []])
def test_streamed_csv_equals_the_whole_file(rows, tmp_path):
    assert b"".join(csv_lines(HEADERS, iter(rows))) == csv_bytes(HEADERS, rows)
    path = tmp_path / "out.csv"
    with path.open("wb") as fh:
        assert write_csv(HEADERS, iter(rows), fh) == len(rows)
    assert path.read_bytes() == csv_bytes(HEADERS, rows)


def test_write_only_xlsx_equals_the_whole_workbook(tmp_path):
    path = tmp_path / "out.xlsx"
    assert write_xlsx(HEADERS, iter(ROWS), path, title="t") == 3
    assert _cells(path) == _cells(xlsx_bytes(HEADERS, ROWS, title="t"))


def _old_rows(employers):
    """The rows the old whole-file view built."""
    return [
        [
            e.uscc, e.name, e.kind, e.jurisdiction.code, e.industry,
            e.street.name if e.street_id else "", e.employees, e.legal_rep, e.address, e.phone,
            e.status,
        ]
        for e in employers.order_by("name", "pk")
    ]  # fmt: skip


@pytest.mark.django_db
def test_a_small_export_is_streamed_and_equals_the_old_output(client, inspector):
    from employers.models import Employer

    for i in range(4):
        EmployerFactory(name=f"单位{i}", jurisdiction=jurisdiction("jiaxian"))
    client.force_login(inspector)
    response = client.get(reverse("employers:export", args=["csv"]))
    assert response.streaming
    body = b"".join(response.streaming_content)
    assert body == csv_bytes(EMPLOYER_COLUMNS, _old_rows(Employer.objects.all()))


@pytest.mark.django_db
def test_a_large_export_is_a_job_with_progress_and_a_download(
    client, inspector, settings, django_capture_on_commit_callbacks
):
    from employers.models import Employer

    settings.EXPORT_INLINE_MAX_ROWS = 2
    for i in range(5):
        EmployerFactory(name=f"单位{i}", jurisdiction=jurisdiction("jiaxian"))
    EmployerFactory(name="外辖区单位", jurisdiction=jurisdiction("xiqing"))
    client.force_login(inspector)
    page = client.get(reverse("employers:export", args=["xlsx"]) + "?q=单位")
    assert page.status_code == 200 and not ExportJob.objects.exists()  # GET writes nothing
    assert "在后台导出 XLSX" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("employers:export_start", args=["xlsx"]), {"query": "q=单位"}
        )
    job = ExportJob.objects.get()
    assert response.url == reverse("employers:export_job", args=[job.pk])
    assert (job.status, job.done, job.total) == (ExportJobStatus.DONE, 5, 5)
    html = client.get(response.url).content.decode()
    assert "已导出 5 / 5 家单位" in html and reverse("employers:export_download", args=[job.pk])
    download = client.get(reverse("employers:export_download", args=[job.pk]))
    data = b"".join(download.streaming_content)
    visible = Employer.objects.filter(jurisdiction__code="jiaxian")
    assert _cells(data) == _cells(xlsx_bytes(EMPLOYER_COLUMNS, _old_rows(visible)))
    # Someone else's export is not theirs to see.
    other = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian"))
    client.force_login(other)
    assert client.get(reverse("employers:export_download", args=[job.pk])).status_code == 404
    assert client.get(reverse("employers:export_job", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_an_export_whose_worker_died_is_written_again_once(inspector):
    from employers.models import Employer

    for i in range(3):
        EmployerFactory(name=f"单位{i}", jurisdiction=jurisdiction("jiaxian"))
    job = ExportJob.objects.create(format="csv", params={"query": ""}, requested_by=inspector)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJobStatus.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    assert export_jobs.run(job.pk) == ExportJobStatus.RUNNING  # its worker is alive
    ExportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - export_jobs.LEASE - dt.timedelta(seconds=1)
    )
    assert export_jobs.run(job.pk) == ExportJobStatus.DONE
    job.refresh_from_db()
    with job.file.open("rb") as fh:
        assert fh.read() == csv_bytes(EMPLOYER_COLUMNS, _old_rows(Employer.objects.all()))
    first = job.file.name
    assert export_jobs.run(job.pk) == ExportJobStatus.DONE  # done: nothing written again
    job.refresh_from_db()
    assert job.file.name == first


@pytest.mark.django_db
def test_export_grades_streamed_equals_the_old_whole_file(tmp_path):
    """``export_grades`` writes row by row; the bytes are those of the old whole-file build."""
    from django.core.management import call_command

    from grading.management.commands.export_grades import COLUMNS
    from grading.selectors import cycle_results, cycles_for_year
    from tests.publication.conftest import make_cycle

    make_cycle(grades=(("A", ("jiaxian.A.1",)), ("C", ("jiaxian.C.1", "jiaxian.C.2")), ("", ())))
    old = [
        [r.employer.uscc, r.employer.name, r.employer.jurisdiction.code, r.grade.ruleset_code,
         r.final_grade, ";".join(r.rules)]
        for c in cycles_for_year(2024) if c.run_id for r in cycle_results(c)
    ]  # fmt: skip
    assert len(old) == 3
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"grades.{fmt}"
        stdout = io.StringIO()
        call_command(
            "export_grades", "--cycle", "2024", "--format", fmt, "--output", str(out),
            stdout=stdout,
        )  # fmt: skip
        assert "已导出 3 条" in stdout.getvalue()
        if fmt == "csv":
            assert out.read_bytes() == csv_bytes(COLUMNS, old)
        else:
            assert _cells(out) == _cells(xlsx_bytes(COLUMNS, old, title="grades-2024"))
