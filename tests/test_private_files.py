"""Private files private (issue 14 item 3): every stored file goes out only through a view that
checks who may read it; nothing is served from /media/; stored names cannot be guessed; the
storage refuses to make a URL. Uses the access matrix's world (two jurisdictions, a published
cycle with its documents, evidence, an objection and a repair application with attachments)."""

import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse

from credit_records.models import Attachment
from objections.models import CaseAttachment
from publication.choices import DocumentKind
from publication.models import CycleDocument
from tests.test_access_matrix import (
    ANON,
    AUDITOR_OUT,
    INSPECTOR_IN,
    INSPECTOR_OUT,
    OTHER_EMPLOYER,
    OWNER,
    PUBLISHER_IN,
    PUBLISHER_OUT,
    SYSADMIN,
)
from tests.test_access_matrix import world as _matrix_world  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(request):
    return request.getfixturevalue("_matrix_world")


TOKEN = re.compile(r"(?:^|/)[0-9a-f]{32}(?:/|\.)")


def stored_files(world) -> list[tuple[str, models.Model, str]]:
    """(kind, row, download URL) for every stored file of the world."""
    rows = [
        (
            "evidence",
            world.attachment,
            reverse("credit_records:download", args=[world.attachment.pk]),
        )
    ]
    for key in ("case_attachment", "repair_attachment"):
        a = world.objects[key]
        rows.append((key, a, reverse("objections:attachment", args=[a.pk])))
    for doc in CycleDocument.objects.filter(cycle=world.c2023):
        rows.append((doc.kind, doc, reverse("publication:document", args=[doc.pk])))
    # The written review: the employer's papers (they name workers) and the 处理建议书.
    paper = world.objects["wr_document"]
    rows.append(
        (
            "review_document",
            SimpleNamespace(pk=paper.pk, file=paper.file, employer_id=paper.review.employer_id),
            reverse("written_review:document", args=[paper.pk]),
        )
    )
    from written_review import documents as review_documents
    from written_review.models import Review

    review = Review.objects.get(pk=world.objects["wr_approved"].pk)
    if not review.suggestion_file:  # made by a background job, or on first download
        review_documents.store_suggestion(review.pk)
        review.refresh_from_db()
    rows.append(
        (
            "review_suggestion",
            SimpleNamespace(
                pk=review.pk, file=review.suggestion_file, employer_id=review.employer_id
            ),
            reverse("written_review:suggestion_pdf", args=[review.pk]),
        )
    )
    # exchange: the distribution files of a published cycle (the publisher's).
    df = world.objects["distribution_file"]
    rows.append(("distribution_file", df, reverse("exchange:distribution_file", args=[df.pk])))
    # employers: an export of the registry, its requester's alone (issue 15).
    job = world.objects["export_job"]
    rows.append(("employer_export", job, reverse("employers:export_download", args=[job.pk])))
    return rows


# Files only the publisher of the jurisdiction downloads (the other staff get 403).
PUBLISHER_ONLY = {"distribution_file"}


def test_the_world_has_every_kind_of_stored_file(world):
    """A new model with a file (or a new document kind) must be added to these tests."""
    with_files = {
        m._meta.label
        for m in apps.get_models()
        if any(isinstance(f, models.FileField) for f in m._meta.get_fields())
    }
    assert with_files == {
        "credit_records.Attachment",
        "objections.CaseAttachment",
        "publication.CycleDocument",
        "written_review.Review",
        "written_review.ReviewDocument",
        "exchange.DistributionFile",
        "employers.ExportJob",
    }
    kinds = {kind for kind, _row, _url in stored_files(world)}
    # 附件2 is made for the 许昌 rule set only: same view, same rule as the other staff files.
    assert set(DocumentKind.values) - kinds == {DocumentKind.ANNEX2_XLSX}
    assert {
        "evidence",
        "case_attachment",
        "repair_attachment",
        "review_document",
        "review_suggestion",
    } <= kinds


def _refused(response) -> bool:
    if response.status_code == 302:
        return response["Location"].startswith(reverse("login"))
    return response.status_code in (403, 404)


@pytest.mark.parametrize(
    "role", [ANON, OTHER_EMPLOYER, INSPECTOR_OUT, PUBLISHER_OUT, AUDITOR_OUT, SYSADMIN]
)
def test_strangers_get_no_stored_file(world, role):
    """Anonymous users, another employer, another jurisdiction's staff and the sysadmin get
    none of the files — except the published list PDF, public by design."""
    client = world.clients[role]
    wrong = []
    for kind, row, url in stored_files(world):
        response = client.get(url)
        public = kind == DocumentKind.LIST_PDF and row.is_public
        if public:
            ok = response.status_code == 200
        else:
            ok = _refused(response) and not getattr(response, "streaming", False)
        if not ok:
            wrong.append(f"{kind} #{row.pk}: {response.status_code}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_the_owner_gets_its_own_files_only(world):
    client = world.clients[OWNER]
    allowed = {
        "case_attachment",
        "repair_attachment",
        DocumentKind.WRITTEN_NOTICE,
        "review_document",
        "review_suggestion",
    }
    for kind, row, url in stored_files(world):
        response = client.get(url)
        if kind in allowed and getattr(row, "employer_id", world.a1.pk) in (None, world.a1.pk):
            assert response.status_code == 200, (kind, response.status_code)
            # A PDF may open in the browser's viewer; anything else is a download.
            inline_ok = response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"].startswith(
                ("attachment", "inline") if inline_ok else "attachment"
            ), (kind, response["Content-Disposition"])
        elif kind == DocumentKind.LIST_PDF:
            assert response.status_code == 200
        else:
            # Evidence names workers and complainants; the detail XLSX and the report are the
            # bureau's.
            assert _refused(response), (kind, response.status_code)


def test_staff_of_the_jurisdiction_download_every_file(world):
    for kind, _row, url in stored_files(world):
        client = world.clients[PUBLISHER_IN if kind in PUBLISHER_ONLY else INSPECTOR_IN]
        response = client.get(url)
        assert response.status_code == 200, kind
        assert b"".join(response.streaming_content), kind


def test_nothing_is_served_from_media(world):
    """Not the stored path, for no one: the files exist only behind their views."""
    for role in (ANON, OWNER, INSPECTOR_IN):
        client = world.clients[role]
        for kind, row, _url in stored_files(world):
            response = client.get(f"/{settings.MEDIA_URL.strip('/')}/{row.file.name}")
            assert response.status_code == 404, (role, kind)


def test_stored_names_cannot_be_guessed(world):
    for kind, row, _url in stored_files(world):
        assert TOKEN.search(row.file.name), (kind, row.file.name)
        assert row.file.storage.exists(row.file.name), (kind, row.file.name)
    # The evidence's name is not its content hash (a known document's hash is guessable).
    assert world.attachment.sha256 not in world.attachment.file.name


def test_the_storage_makes_no_url_for_a_private_file(world):
    for kind, row, _url in stored_files(world):
        with pytest.raises(ValueError, match="private file"):
            row.file.url  # noqa: B018
        del kind


def test_evidence_lives_outside_media_root(world):
    from pathlib import Path

    evidence = Path(world.attachment.file.path).resolve()
    media = Path(settings.MEDIA_ROOT).resolve()
    assert media not in evidence.parents
    assert isinstance(world.attachment, Attachment)
    assert isinstance(world.case_attachment, CaseAttachment)
