"""《劳动保障监察书面审查处理建议书》 (seed 002 三(一)4: 用人单位有轻微违法行为的，下达处理建议书),
in the official style of the other documents: WeasyPrint, "Noto Sans CJK SC" named explicitly,
A4, red head, "第 N 页 共 M 页". The stylesheet is a copy of publication's ``_page.css`` (this
app sits below publication and cannot import it). Official wording is Chinese whatever the
interface language (deliberately not translated).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.template.loader import render_to_string


@dataclass(frozen=True)
class SuggestionProblem:
    number: int
    area: str
    description: str
    legal_basis: str
    handling: str


@dataclass(frozen=True)
class Suggestion:
    authority: str
    document_no: str
    employer_name: str
    uscc: str
    year: int
    result: str
    due: dt.date | None
    issued_on: dt.date
    problems: list[SuggestionProblem] = field(default_factory=list)
    contact: str = ""


def suggestion_of(review) -> Suggestion:
    plan = review.plan
    return Suggestion(
        authority=plan.jurisdiction.authority or plan.jurisdiction.name,
        document_no=review.suggestion_no,
        employer_name=review.employer.name,
        uscc=review.employer.uscc,
        year=plan.year,
        result=review.get_result_display(),
        due=review.rectification_due,
        issued_on=review.approved_on,
        contact=plan.contact,
        problems=[
            SuggestionProblem(
                p.number,
                str(p.get_area_display()),
                p.description,
                p.legal_basis,
                "立案调查处理" if p.handling == "case" else "限期整改",
            )
            for p in review.problems.order_by("number")
        ],
    )


def suggestion_pdf(suggestion: Suggestion) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "written_review/pdf/suggestion.html",
        {"css": render_to_string("written_review/pdf/_page.css"), "s": suggestion},
    )
    return HTML(string=html).write_pdf()


def store_suggestion(review_id: int):
    """Make the PDF of an approved review and keep it with the review (evidence storage)."""
    from .models import Review

    review = Review.objects.select_related("plan__jurisdiction", "employer").get(pk=review_id)
    if not review.suggestion_no:
        return None
    data = suggestion_pdf(suggestion_of(review))
    review.suggestion_file.save("suggestion.pdf", ContentFile(data), save=False)
    Review.objects.filter(pk=review.pk).update(suggestion_file=review.suggestion_file.name)
    return review.suggestion_file.name
