"""Distribution files made on publication (seed 002 四(四)1) and the open data (SPEC §12)."""

import csv
import hashlib
import io
import json

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from employers.choices import Role
from exchange.choices import Department, FileFormat, JobStatus
from exchange.models import DistributionFile, DistributionJob
from grading.choices import CycleStatus
from publication import services as publication
from tests.factories import UserFactory, jurisdiction
from tests.publication.conftest import make_cycle

from .conftest import publish

pytestmark = pytest.mark.django_db

FIVE = {
    Department.MARKET_REGULATION,
    Department.DEVELOPMENT_REFORM,
    Department.CONSTRUCTION,
    Department.TRANSPORT,
    Department.WATER,
}


def read(record) -> bytes:
    with record.file.open("rb") as fh:
        return fh.read()


def test_publication_makes_one_set_per_department_with_a_manifest(published):
    job = DistributionJob.objects.get(cycle=published)
    assert job.status == JobStatus.DONE and job.done == job.total == 3 * 5
    files = DistributionFile.objects.filter(job=job)
    assert {f.department for f in files} == FIVE  # 郏县: no 川渝 file
    assert files.count() == 5 * 3
    for department in FIVE:
        by_format = {f.format: f for f in files.filter(department=department)}
        manifest = json.loads(read(by_format[FileFormat.MANIFEST]).decode("utf-8"))
        assert manifest["department"] == department
        assert manifest["counts"] == {"total": 3, "by_grade": {"A": 1, "B": 1, "C": 1}}
        listed = {entry["format"]: entry for entry in manifest["files"]}
        for fmt in (FileFormat.CSV, FileFormat.JSON):
            content = read(by_format[fmt])
            # the manifest's SHA-256 match the files, and the recorded ones too
            assert listed[fmt]["sha256"] == hashlib.sha256(content).hexdigest()
            assert by_format[fmt].sha256 == listed[fmt]["sha256"]
            assert listed[fmt]["bytes"] == len(content) and listed[fmt]["rows"] == 3
        assert (
            by_format[FileFormat.MANIFEST].sha256
            == hashlib.sha256(read(by_format[FileFormat.MANIFEST])).hexdigest()
        )
        rows = list(csv.reader(io.StringIO(read(by_format[FileFormat.CSV]).decode("utf-8-sig"))))
        assert rows[0][:4] == ["公布序号", "统一社会信用代码", "单位名称", "评价等级"]
        assert sorted(r[1] for r in rows[1:]) == sorted(e.uscc for e in published.test_employers)
        data = json.loads(read(by_format[FileFormat.JSON]).decode("utf-8"))
        assert len(data["rows"]) == 3 and data["department_name"]
        assert {r["grade"] for r in data["rows"]} == {"A", "B", "C"}
        assert "张三丰" not in read(by_format[FileFormat.CSV]).decode("utf-8-sig")


def test_a_chongqing_cycle_also_gets_the_chuanyu_file(db, django_capture_on_commit_callbacks):
    publisher = UserFactory(role=Role.PUBLISHER, jurisdiction=jurisdiction("jiangjin"))
    cycle = make_cycle(
        "jiangjin",
        grades=[("A", ("jiangjin.A.1",)), ("C", ("jiangjin.C.1",))],
        status=CycleStatus.FINAL,
    )
    publish(cycle, publisher, django_capture_on_commit_callbacks)
    files = DistributionFile.objects.filter(job__cycle=cycle)
    assert {f.department for f in files} == FIVE | {Department.CHUANYU}
    chuanyu = files.get(department=Department.CHUANYU, format=FileFormat.CSV)
    rows = list(csv.reader(io.StringIO(read(chuanyu).decode("utf-8-sig"))))
    assert rows[0][:3] == ["公布序号", "省（市）", "评价机关"]
    assert {r[1] for r in rows[1:]} == {"重庆市"}


def test_only_the_publisher_downloads_the_distribution_files(client, published, publisher):
    record = DistributionFile.objects.filter(format=FileFormat.CSV).first()
    url = f"/exchange/distribution/files/{record.pk}/"
    client.force_login(publisher)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == read(record)
    page = client.get(f"/exchange/cycles/{published.pk}/distribution/").content.decode()
    assert record.sha256 in page
    for role, code in (
        (Role.INSPECTOR, "jiaxian"),
        (Role.AUDITOR, "jiaxian"),
        (Role.PUBLISHER, "xiqing"),
    ):
        client.force_login(UserFactory(role=role, jurisdiction=jurisdiction(code)))
        assert client.get(url).status_code in (403, 404), (role, code)
    client.logout()
    assert client.get(url).status_code == 302


def test_the_distribution_files_can_be_remade(
    client, published, publisher, django_capture_on_commit_callbacks
):
    before = set(DistributionFile.objects.values_list("sha256", flat=True))
    client.force_login(publisher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/exchange/cycles/{published.pk}/distribution/remake/")
    jobs = DistributionJob.objects.filter(cycle=published).order_by("pk")
    assert [j.status for j in jobs] == [JobStatus.DONE, JobStatus.DONE]
    assert DistributionFile.objects.filter(job=jobs[0]).count() == 0
    assert DistributionFile.objects.filter(job=jobs[1]).count() == 15
    assert before  # the CSV of the same snapshot is the same; the JSON heads carry the time
    same_csv = set(
        DistributionFile.objects.filter(format=FileFormat.CSV).values_list("sha256", flat=True)
    )
    assert same_csv <= before


# --- open data --------------------------------------------------------------------------------


def test_the_open_csv_is_streamed_with_the_grade_in_force(client, published, publisher):
    result = published.published_results.get(employer=published.test_employers[2])
    publication.adjust_published_result(
        result=result,
        new_grade="B",
        effective_date=timezone.localdate(),
        public_note="经复评调整",
        reason="复评",
        actor=publisher,
    )
    response = client.get("/open-data/jiaxian/2024.csv")
    assert response.status_code == 200 and isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3
    adjusted = next(r for r in rows if r["uscc"] == result.uscc)
    assert (adjusted["grade"], adjusted["published_grade"]) == ("B", "C")
    assert adjusted["adjusted_on"] == timezone.localdate().isoformat()
    assert "张三丰" not in text and "13812345678" not in text


def test_the_open_json_and_the_dictionary(client, published):
    response = client.get("/open-data/jiaxian/2024.json")
    assert response.status_code == 200 and isinstance(response, StreamingHttpResponse)
    data = json.loads(b"".join(response.streaming_content).decode("utf-8"))
    assert data["jurisdiction"] == "jiaxian" and data["year"] == 2024
    assert {r["uscc"] for r in data["results"]} == {e.uscc for e in published.test_employers}
    dictionary = client.get("/open-data/dictionary/").content.decode()
    for key in data["results"][0]:
        assert f"<code>{key}</code>" in dictionary
    index = client.get("/open-data/").content.decode()
    assert "/open-data/jiaxian/2024.csv" in index


def test_unpublished_lists_are_not_open(client, db):
    make_cycle(status=CycleStatus.FINAL)
    assert client.get("/open-data/jiaxian/2024.csv").status_code == 404
    assert client.get("/open-data/jiaxian/2024.json").status_code == 404
    assert client.get("/open-data/nowhere/2024.csv").status_code == 404


def test_the_public_list_links_to_the_open_data(client, published):
    page = client.get("/public/jiaxian/2024/").content.decode()
    assert "/open-data/jiaxian/2024.csv" in page and "/open-data/jiaxian/2024.json" in page
    assert "/open-data/dictionary/" in page
