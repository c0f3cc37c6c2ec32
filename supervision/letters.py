"""The 人力资源服务机构诚信承诺书 of seed 003 附件1 — its text, filled in for one agency, and the
signed letter as a PDF in official style.

The letter is an official document: its wording is Chinese whatever the interface language is
(deliberately not translated), line for line as 附件1 prints it.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.template.loader import render_to_string

from credit_records.periods import cn_date

TITLE = "人力资源服务机构诚信承诺书"
PLEDGES = (
    "坚持以人为本　保障客户权益",
    "坚持诚信服务　杜绝欺诈行为",
    "坚持遵纪守法　合法合规经营",
    "坚持公平竞争　履行社会责任",
)
LIABILITY = "如有不诚信行为或违法违规行为，愿承担相关责任。"
SOURCE = "许昌市人力资源和社会保障局《关于做好2023年度人力资源服务机构诚信建设工作的通知》附件1"


def letter_text(
    *, unit_name: str, legal_rep_name: str = "", signed_on: dt.date | None = None
) -> str:
    """The text of 附件1 with the unit (and, once signed, the signatory and date) filled in."""
    lines = [
        TITLE,
        "",
        f"我代表{unit_name}，",
        "郑重承诺：",
        *PLEDGES,
        LIABILITY,
        "",
        f"承诺人（法定代表人签字）：{legal_rep_name}",
        cn_date(signed_on) if signed_on else "年　月　日",
    ]
    return "\n".join(lines)


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def letter_pdf(letter, *, authority: str = "") -> bytes:
    """The signed letter as a one-page A4 PDF (WeasyPrint, Noto CJK fonts from Debian)."""
    from weasyprint import HTML

    html = render_to_string(
        "supervision/pdf/commitment.html",
        {
            "letter": letter,
            "title": TITLE,
            "pledges": PLEDGES,
            "liability": LIABILITY,
            "signed_on": cn_date(letter.signed_on),
            "signed_at": letter.signed_at,
            "authority": authority,
            "source": SOURCE,
        },
    )
    return HTML(string=html).write_pdf()
