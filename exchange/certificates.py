"""The grade certificate as a PDF (SPEC §12; seed 002 四(三): 评价结果作为企业评先、评优和上市等
劳动保障守法诚信的证明事项，各级人力社保部门不再出具其它证明材料).

An official document in the style of ``publication.documents`` (red head with the issuing bureau,
Noto CJK fonts, A4), stating the published grade, and carrying the verification code and a QR code
(``segno``) that opens the public verification page. Like the other official documents its wording
is Chinese whatever the interface language is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone, translation

from .selectors import GradeFacts, grade_facts
from .services import format_code


@dataclass(frozen=True)
class CertificateView:
    certificate: object
    facts: GradeFacts
    code: str  # grouped for reading, e.g. ABCD-EFGH-…
    verify_url: str
    qr_svg: str  # data: URI of the QR code


def qr_data_uri(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#111")


def certificate_view(certificate, verify_url: str) -> CertificateView:
    return CertificateView(
        certificate=certificate,
        facts=grade_facts(certificate.result),
        code=format_code(certificate.code),
        verify_url=verify_url,
        qr_svg=qr_data_uri(verify_url),
    )


def certificate_pdf(certificate, *, verify_url: str, verify_page: str) -> bytes:
    from weasyprint import HTML

    with translation.override("zh-hans"):
        html = _html(certificate, verify_url=verify_url, verify_page=verify_page)
    return HTML(string=html).write_pdf()


def _html(certificate, *, verify_url: str, verify_page: str) -> str:
    view = certificate_view(certificate, verify_url)
    result = certificate.result
    return render_to_string(
        "exchange/pdf/certificate.html",
        {
            "css": render_to_string("publication/pdf/_page.css"),
            "c": view,
            "r": result,
            "f": view.facts,
            "grade": certificate.grade,
            "grade_label": _label(result, certificate.grade),
            "adjustment": certificate.adjustment,
            "issued_on": timezone.localdate(certificate.issued_at),
            "verify_page": verify_page,
        },
    )


def _label(result, grade: str) -> str:
    from grading.selectors import grade_label

    return str(grade_label(result.ruleset_code, grade, result.ruleset_version))
