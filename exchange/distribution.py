"""Distribution files (抄送) of a published cycle, made in the background (``DistributionJob``).

Seed 002 四(四)1: 人力社保部门应当及时将年度守法诚信等级评价结果推送政府信用平台，并抄送同级市场监管、
发展改革、城乡建设、交通、水利等主管部门…同时，落实川渝守法诚信等级评价结果信息共享机制要求.

One set per receiving department: the published results as CSV (UTF-8 with BOM, Chinese headers,
for the department's staff) and as JSON (the same rows, English keys), and a manifest (JSON) that
lists both files with their row counts, byte sizes and SHA-256, so the department can check what
it received. The rows come from the published snapshot, streamed from the database in chunks.

Interpretation: the 川渝 exchange file is made for cycles of Chongqing and Sichuan jurisdictions
only (``EXCHANGE_CHUANYU_ROOTS``): the mechanism of seed 002 is the Chongqing bureau's duty towards
Sichuan; a 郏县 list has no 川渝 counterpart.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone, translation

from .choices import Department, FileFormat, ItemKind, JobStatus
from .models import DistributionFile, DistributionJob, PublishedItem

CHUNK = 2000
STALE_AFTER = dt.timedelta(hours=2)

# (key, Chinese header) — the department files.
FIELDS = [
    ("seq", "公布序号"),
    ("uscc", "统一社会信用代码"),
    ("name", "单位名称"),
    ("grade", "评价等级"),
    ("grade_label", "等级含义"),
    ("year", "评价年度"),
    ("ruleset", "评价办法"),
    ("authority", "评价单位"),
    ("jurisdiction", "评价辖区"),
    ("published_on", "公布日期"),
    ("valid_until", "有效期至"),
    ("measures", "守信激励或失信惩戒措施"),
]

# The 川渝 exchange file: what the 重庆市人力社保局 gives 四川省人力社保厅 (seed 002 四(四)1).
CHUANYU_FIELDS = [
    ("seq", "公布序号"),
    ("province", "省（市）"),
    ("authority", "评价机关"),
    ("uscc", "统一社会信用代码"),
    ("name", "企业名称"),
    ("year", "评价年度"),
    ("grade", "评价等级"),
    ("grade_label", "等级含义"),
    ("published_on", "公布日期"),
]

RECEIVING = [
    Department.MARKET_REGULATION,
    Department.DEVELOPMENT_REFORM,
    Department.CONSTRUCTION,
    Department.TRANSPORT,
    Department.WATER,
]


def is_stale(job: DistributionJob) -> bool:
    return (job.started_at or job.created_at) < timezone.now() - STALE_AFTER


def departments_for(cycle) -> list[str]:
    root = cycle.jurisdiction.path.split("/", 1)[0]
    extra = [Department.CHUANYU] if root in settings.EXCHANGE_CHUANYU_ROOTS else []
    return [*RECEIVING, *extra]


def _province(cycle) -> str:
    node = cycle.jurisdiction
    while node.parent_id:
        node = node.parent
    return node.name


def safe_cell(value) -> str:
    """A CSV cell that a spreadsheet never runs as a formula (as the project's exports do)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def result_rows(cycle):
    """The published results of ``cycle`` as dicts (both field sets' keys), in USCC order,
    streamed in chunks."""
    from grading import rulesets
    from grading.selectors import grade_label
    from publication.models import PublishedResult
    from publication.services import authority_of

    from .selectors import validity

    authority = authority_of(cycle)
    province = _province(cycle)
    seq = PublishedItem.objects.filter(result=OuterRef("pk"), kind=ItemKind.RESULT).values("seq")
    results = (
        PublishedResult.objects.filter(cycle=cycle)
        .annotate(seq=Subquery(seq[:1]))
        .order_by("uscc", "id")
        .values(
            "seq",
            "uscc",
            "name",
            "grade",
            "year",
            "rules",
            "ruleset_code",
            "ruleset_version",
            "published_at",
            jurisdiction=F("cycle__jurisdiction__name"),
        )
    )
    titles: dict = {}
    measures: dict = {}
    labels: dict = {}
    for r in results.iterator(chunk_size=CHUNK):
        key = (r["ruleset_code"], r["ruleset_version"])
        if key not in titles:
            try:
                titles[key] = rulesets.get(*key)
            except KeyError:
                titles[key] = None
        ruleset = titles[key]
        mkey = (key, r["grade"], tuple(r["rules"]))
        if mkey not in measures:
            measures[mkey] = (
                "；".join(
                    f"{m.text}（{m.article}）" for m in ruleset.measures_for(r["grade"], r["rules"])
                )
                if ruleset
                else ""
            )
        lkey = (key, r["grade"])
        if lkey not in labels:
            labels[lkey] = str(grade_label(r["ruleset_code"], r["grade"], r["ruleset_version"]))
        published_on = timezone.localdate(r["published_at"])
        yield {
            "seq": r["seq"],
            "uscc": r["uscc"],
            "name": r["name"],
            "grade": r["grade"],
            "grade_label": labels[lkey],
            "year": r["year"],
            "ruleset": ruleset.title if ruleset else r["ruleset_code"],
            "authority": authority,
            "jurisdiction": r["jurisdiction"],
            "province": province,
            "published_on": published_on.isoformat(),
            "valid_until": validity(published_on)[1].isoformat(),
            "measures": measures[mkey],
        }


class _Output:
    """The CSV and JSON being written for one department."""

    def __init__(self, cycle, department: str, directory: Path, generated_at):
        self.department = department
        self.fields = CHUANYU_FIELDS if department == Department.CHUANYU else FIELDS
        label = str(Department(department).label)
        self.stem = f"{cycle.jurisdiction.name}{cycle.year}年度评价结果-{label}"
        self.csv_path = directory / f"{self.stem}.csv"
        self.json_path = directory / f"{self.stem}.json"
        self.head = {
            "department": department,
            "department_name": label,
            "jurisdiction": cycle.jurisdiction.code,
            "jurisdiction_name": cycle.jurisdiction.name,
            "year": cycle.year,
            "ruleset": cycle.ruleset_code,
            "generated_at": generated_at.isoformat(),
            "fields": [{"key": k, "name": n} for k, n in self.fields],
        }
        self.csv_file = self.csv_path.open("w", encoding="utf-8-sig", newline="")
        self.json_file = self.json_path.open("w", encoding="utf-8")
        csv.writer(self.csv_file).writerow([name for _key, name in self.fields])
        self.json_file.write(json.dumps(self.head, ensure_ascii=False)[:-1] + ', "rows": [\n')

    def close(self) -> None:
        self.csv_file.close()
        self.json_file.close()


def write_files(cycle, departments, directory: Path, *, progress=None) -> dict:
    """Write the CSV, JSON and manifest of every department in one pass over the results (a row
    is formatted once per field set and written to each department's files); returns
    ``{department: {format: (path, rows, sha256)}}``."""
    generated_at = timezone.now()
    outputs = [_Output(cycle, d, directory, generated_at) for d in departments]
    counts: dict[str, int] = {}
    rows = 0
    line = io.StringIO()
    writer = csv.writer(line)
    try:
        for row in result_rows(cycle):
            formatted = {}
            for out in outputs:
                key = id(out.fields)
                if key not in formatted:
                    line.seek(0)
                    line.truncate()
                    writer.writerow([safe_cell(row[k]) for k, _name in out.fields])
                    formatted[key] = (
                        line.getvalue(),
                        json.dumps({k: row[k] for k, _name in out.fields}, ensure_ascii=False),
                    )
                csv_line, json_row = formatted[key]
                out.csv_file.write(csv_line)
                out.json_file.write(("" if rows == 0 else ",\n") + json_row)
            rows += 1
            counts[row["grade"]] = counts.get(row["grade"], 0) + 1
            if progress and rows % CHUNK == 0:
                progress(CHUNK * len(outputs))
        for out in outputs:
            out.json_file.write("\n]}\n")
    finally:
        for out in outputs:
            out.close()
    if progress:
        progress((rows % CHUNK) * len(outputs))
    written = {}
    for out in outputs:
        files = {
            FileFormat.CSV: (out.csv_path, rows, sha256_of(out.csv_path)),
            FileFormat.JSON: (out.json_path, rows, sha256_of(out.json_path)),
        }
        manifest = {
            **{k: v for k, v in out.head.items() if k != "fields"},
            "authority": _authority(cycle),
            "counts": {"total": rows, "by_grade": dict(sorted(counts.items()))},
            "files": [
                {
                    "name": path.name,
                    "format": str(fmt),
                    "rows": n,
                    "bytes": path.stat().st_size,
                    "sha256": digest,
                }
                for fmt, (path, n, digest) in files.items()
            ],
        }
        manifest_path = directory / f"{out.stem}-清单.json"
        manifest_path.write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        files[FileFormat.MANIFEST] = (manifest_path, rows, sha256_of(manifest_path))
        written[out.department] = files
    return written


def _authority(cycle) -> str:
    from publication.services import authority_of

    return authority_of(cycle)


def _progress(job, **fields) -> None:
    DistributionJob.objects.filter(pk=job.pk).update(**fields)


def run(job_id: int) -> None:
    """Run one job to its end; a failure is recorded on the job (and raised again)."""
    from publication.models import PublishedResult

    with transaction.atomic():
        job = (
            DistributionJob.objects.select_for_update()
            .select_related("cycle__jurisdiction")
            .get(pk=job_id)
        )
        if job.status == JobStatus.DONE or (job.status == JobStatus.RUNNING and not is_stale(job)):
            return
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.error = ""
        job.save(update_fields=["status", "started_at", "error"])
    cycle = job.cycle
    departments = departments_for(cycle)
    total = PublishedResult.objects.filter(cycle=cycle).count() * len(departments)
    _progress(job, total=total, done=0)
    done = 0

    def advance(n):
        nonlocal done
        done += n
        _progress(job, done=done)

    try:
        # Official files: Chinese whatever the language of the request that ran them eagerly.
        with (
            translation.override("zh-hans"),
            tempfile.TemporaryDirectory(prefix="exchange-") as tmp,
        ):
            _progress(job, step="、".join(str(Department(d).label) for d in departments))
            written = write_files(cycle, departments, Path(tmp), progress=advance)
            for department, files in written.items():
                for fmt, (path, rows, digest) in files.items():
                    record = DistributionFile(
                        job=job,
                        department=department,
                        format=fmt,
                        rows=rows,
                        size=path.stat().st_size,
                        sha256=digest,
                    )
                    with path.open("rb") as fh:
                        record.file.save(path.name, File(fh), save=False)
                    record.save()
    except Exception as exc:
        _progress(
            job,
            status=JobStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    _progress(job, status=JobStatus.DONE, done=total, step="", finished_at=timezone.now())
    # A remade set replaces the earlier ones (same snapshot, same content).
    for old in DistributionFile.objects.filter(job__cycle=cycle).exclude(job=job):
        old.file.delete(save=False)
        old.delete()
