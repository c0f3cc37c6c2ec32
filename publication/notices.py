"""Public notice and written notices (SPEC §8 [r2]; seed 002 四（二）: 拟评价结果公示不少于5个工作日…
对拟评为C级的企业应按规定进行书面告知).

When a cycle enters public notice (``publication.services.start_public_notice``):

1. the proposed list is public at once on its notice page (``PublicNotice``: title, 文号 entered by
   the publisher, the period in working days, how and where to object, contact; the page says
   the grades are proposed);
2. every employer proposed C (or D where the rule set has D) gets its written notice then — a
   background job (``jobs._written_notices``) makes the PDF, the ``WrittenNotice`` row (the
   online copy on the employer's page, with a read receipt) and a mail through the outbox.

The basis of a notice is the **final proposed grade** (``notice_basis``): the fired rules of the
computed grade, or, after an approved override, the override's reason and the articles it cites
— never the computed grade's rules. Documents show the article and the Chinese text, never an
internal rule code. The writes here are services (keyword-only, atomic, audited).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from credit_records.audit import write_audit
from employers.choices import Role

from .models import PublicNotice, WrittenNotice

TOPIC_MAIL = "mail.written_notice"
# Interpretation (seed 002 四（二）): in the rule sets that go down to D (jiaxian, xuchang) an
# employer proposed D is told in writing the same way — C is the lowest grade of the seed that
# sets the duty, so “C” reads as “C or worse”.
NOTICE_GRADES = ("C", "D")


@dataclass(frozen=True)
class Basis:
    """What a written notice rests on: the final proposed grade and why."""

    grade: str
    rules: tuple[str, ...]  # rule codes (internal)
    explained: tuple[tuple[str, str], ...]  # (article, text) of each
    override_reason: str  # "" without an approved override
    computed_grade: str
    version: str
    measures: tuple[tuple[str, str], ...] = ()  # (text, article) that follow the grade

    def as_json(self) -> dict:
        return {
            "rules": [{"article": a, "text": t} for a, t in self.explained],
            "override_reason": self.override_reason,
            "computed_grade": self.computed_grade,
            "measures": [{"text": t, "article": a} for t, a in self.measures],
        }


def notice_basis(row) -> Basis:
    """The basis of the notice of a cycle row (``grading.selectors.CycleRow``)."""
    from grading.selectors import rule_explanations

    version = row.grade.ruleset_version
    override = row.override
    if override is not None:
        codes = tuple(override.cited_rules or ())
        reason = override.reason.strip()
    else:
        codes = tuple(row.rules)
        reason = ""
    explained = tuple(
        (e.article, e.text) for e in rule_explanations(codes, version) if e.article or e.text
    )
    from grading import rulesets

    try:
        ruleset = rulesets.get(row.grade.ruleset_code, version)
        measures = tuple((m.text, m.article) for m in ruleset.measures_for(row.final_grade, codes))
    except KeyError:
        measures = ()
    return Basis(
        grade=row.final_grade,
        rules=codes,
        explained=explained,
        override_reason=reason,
        computed_grade=row.computed_grade,
        version=version,
        measures=measures,
    )


def basis_hash(basis: Basis) -> str:
    """What a notice states, as a SHA-256 (``WrittenNotice.content_hash``): the final proposed
    grade, the rules and their articles and texts, an override's reason and the measures. The
    number and the date of issue are not part of it: a notice is made again only when what it
    says would change."""
    import hashlib
    import json

    content = {"grade": basis.grade, "rules": list(basis.rules), **basis.as_json()}
    raw = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def notice_rows(cycle, rows=None) -> list:
    """Rows of the cycle whose final (proposed) grade calls for a written notice."""
    from .results import cycle_rows

    rows = cycle_rows(cycle) if rows is None else rows
    return [r for r in rows if r.final_grade in NOTICE_GRADES]


def _same(notice: WrittenNotice, basis: Basis) -> bool:
    if notice.content_hash:
        return notice.content_hash == basis_hash(basis)
    return (
        notice.grade == basis.grade
        and tuple(notice.rules) == basis.rules
        and notice.basis.get("override_reason", "") == basis.override_reason
    )


def notices_missing(cycle, rows=None) -> list:
    """Rows to be told in writing whose current notice is missing or no longer matches."""
    rows = notice_rows(cycle, rows)
    return changed_rows(cycle, rows)


def changed_rows(cycle, rows) -> list:
    """Of ``rows`` (a chunk), those whose current notice is missing or states something else
    than their basis now (compared by ``basis_hash``); reads the chunk's notices only."""
    current = {
        n.employer_id: n
        for n in WrittenNotice.objects.filter(
            cycle=cycle,
            superseded_at__isnull=True,
            employer_id__in=[r.employer.pk for r in rows],
        )
    }
    out = []
    for row in rows:
        notice = current.get(row.employer.pk)
        if notice is None or not _same(notice, notice_basis(row)):
            out.append(row)
    return out


def notice_queryset(cycle):
    """The cycle's grades whose final (proposed) grade calls for a written notice (SQL)."""
    return proposed_results(cycle).filter(final__in=NOTICE_GRADES)


def notice_rows_between(cycle, after: int, upto: int | None) -> list:
    """The rows to be told in writing whose grade row id is in ``after < id <= upto`` (a chunk;
    ``upto`` None: to the end), as ``grading.selectors.CycleRow`` — read by keyset on the
    primary key (an index range), one chunk at a time."""
    from grading.selectors import CycleRow, approved_overrides

    grades = notice_queryset(cycle).filter(pk__gt=after)
    if upto is not None:
        grades = grades.filter(pk__lte=upto)
    grades = list(
        grades.select_related("employer", "employer__jurisdiction", "employer__street").order_by(
            "pk"
        )
    )
    overrides = approved_overrides([g.pk for g in grades])
    return [
        CycleRow(
            employer=g.employer,
            grade=g,
            computed_grade=g.grade,
            final_grade=g.final,
            rules=list(g.rules),
            override=overrides.get(g.pk),
        )
        for g in grades
    ]


def notices_to_make_estimate(cycle) -> tuple[int, int]:
    """(employers to be told in writing, of which without a current notice of the same grade),
    counted in SQL for the cycle page — the job compares the full content (``basis_hash``)."""
    from django.db.models import Exists, OuterRef

    needed = notice_queryset(cycle)
    same_grade = WrittenNotice.objects.filter(
        cycle=cycle,
        superseded_at__isnull=True,
        employer_id=OuterRef("employer_id"),
        grade=OuterRef("final"),
    )
    total = needed.order_by().count()
    missing = needed.filter(~Exists(same_grade)).order_by().count()
    return total, missing


def default_title(cycle) -> str:
    from .jobs import DEFAULT_LIST_TITLE, LIST_TITLES

    stem = LIST_TITLES.get(cycle.ruleset_code, DEFAULT_LIST_TITLE)
    return f"关于{cycle.year}年度{stem}（拟评）的公示"


def default_how_to_object(cycle) -> str:
    from .services import authority_of

    return (
        "公示期间，用人单位对拟评价结果有异议的，可以登录本系统在“本单位信息”页面提出异议申请，"
        f"或者向{authority_of(cycle)}提交书面异议材料并附相关证明材料。本机关自收到异议申请之日起"
        "3个工作日内完成处理并告知结果；需要向有关部门核查的，10个工作日内完成核查处理。"
    )


def create_public_notice(
    *,
    cycle,
    actor,
    start: dt.date,
    end: dt.date,
    title: str = "",
    document_no: str = "",
    how_to_object: str = "",
    contact: str = "",
) -> PublicNotice:
    """The notice page's data, written with the move to public notice (inside its transaction)."""
    from .services import authority_of

    notice = PublicNotice.objects.create(
        cycle=cycle,
        title=(title or "").strip() or default_title(cycle),
        document_no=(document_no or "").strip(),
        start=start,
        end=end,
        how_to_object=(how_to_object or "").strip() or default_how_to_object(cycle),
        contact=(contact or "").strip() or authority_of(cycle),
        created_by=actor,
    )
    write_audit(
        actor=actor,
        action="publication.public_notice",
        obj=notice,
        jurisdiction_path=cycle.jurisdiction.path,
        after={
            "title": notice.title,
            "document_no": notice.document_no,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "contact": notice.contact,
        },
    )
    return notice


def proposed_results(cycle):
    """The proposed (final) grades of a cycle as a queryset of its Grade rows annotated with
    ``final`` (an approved override, else the computed grade), the ungraded left out — what
    the public notice page lists (name, USCC, grade only), paginated by the database."""
    from .selectors import final_grades

    return (
        final_grades(cycle)
        .exclude(final="")
        .select_related("employer")
        .order_by("employer__name", "pk")
    )


# --- the written notices (run by the background job) -------------------------------------------


def notice_url(notice: WrittenNotice) -> str:
    from django.urls import reverse

    return reverse("publication:notice", args=[notice.pk])


def _recipients(employer) -> list[str]:
    from employers.models import User

    return sorted(
        set(
            User.objects.filter(role=Role.EMPLOYER, employer=employer, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def mail_text(notice: WrittenNotice, cycle, public_notice: PublicNotice | None) -> str:
    """The mail body: the notice itself, in plain text (it states articles, never codes)."""
    lines = [
        f"{notice.employer.name}：",
        f"本机关对你单位{cycle.year}年度遵守劳动保障法律、法规和规章的情况进行了评价，"
        f"拟将你单位评定为{notice.grade_label}（{notice.document_no}）。",
    ]
    reason = notice.basis.get("override_reason")
    if reason:
        lines.append(f"经人工复核调整，理由：{reason}")
    for rule in notice.basis.get("rules", ()):
        lines.append(f"依据：{rule['article']} {rule['text']}")
    if public_notice is not None:
        lines.append(
            f"公示期：{date_format(public_notice.start)}至{date_format(public_notice.end)}。"
            f"{public_notice.how_to_object}"
        )
    lines.append("书面告知书全文请登录本系统，在“本单位信息”页面查阅。")
    return "\n".join(lines)


_UNREAD = object()


@transaction.atomic(savepoint=False)  # inside the chunk's transaction: no savepoint per notice
def issue_notice(
    *,
    cycle,
    row,
    number: int,
    document,
    issued_on: dt.date,
    public_notice=_UNREAD,
    audits: list | None = None,
) -> WrittenNotice:
    """Record one written notice (its PDF already made) and mail it through the outbox, in one
    transaction; a notice for the same employer that no longer matches is marked superseded.
    ``public_notice``: the cycle's, when the caller has read it (None: it has none). ``audits``:
    a list the audit entry is added to, for the caller to write with the others of its batch
    (``audit.services.write_audits``, in the same transaction); without it, written here."""
    from . import outbox
    from .services import authority_of

    basis = notice_basis(row)
    now = timezone.now()
    WrittenNotice.objects.filter(
        cycle=cycle, employer=row.employer, superseded_at__isnull=True
    ).update(superseded_at=now)
    grade_label = document.meta.get("grade_label", f"{basis.grade}级")
    notice = WrittenNotice.objects.create(
        cycle=cycle,
        employer=row.employer,
        grade=basis.grade,
        grade_label=grade_label,
        rules=list(basis.rules),
        basis=basis.as_json(),
        document_no=document.meta.get("document_no", ""),
        issued_on=issued_on,
        document=document,
        content_hash=basis_hash(basis),
    )
    if public_notice is _UNREAD:
        public_notice = PublicNotice.objects.filter(cycle=cycle).first()
    to = _recipients(row.employer)
    if to:
        notice.mail = outbox.enqueue(
            topic=TOPIC_MAIL,
            key=f"{row.employer.uscc}:notice:{notice.pk}",
            payload={
                "to": to,
                "subject": f"{authority_of(cycle)}书面告知书（{notice.document_no}）",
                "body": mail_text(notice, cycle, public_notice),
                "notice": notice.pk,
            },
            jurisdiction_path=cycle.jurisdiction.path,
        )
        notice.save(update_fields=["mail"])
    entry = dict(
        actor=None,
        action="publication.written_notice_issued",
        obj=notice,
        jurisdiction_path=cycle.jurisdiction.path,
        after={
            "employer": row.employer.pk,
            "grade": basis.grade,
            "document_no": notice.document_no,
            "override": bool(basis.override_reason),
            "mailed_to": len(to),
        },
    )
    if audits is None:
        write_audit(**entry)
    else:
        audits.append(entry)  # the caller writes them, in its transaction (``write_audits``)
    return notice


# --- the read receipt ---------------------------------------------------------------------------


@transaction.atomic
def open_notice(*, notice: WrittenNotice, actor) -> WrittenNotice:
    """The employer opens its notice: the first time is recorded (read receipt, audited)."""
    if not (
        actor is not None
        and actor.has_role(Role.EMPLOYER)
        and actor.employer_id == notice.employer_id
    ):
        raise PermissionDenied(_("只有该用人单位本单位的账号可以签收告知书"))
    notice = WrittenNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.first_opened_at is None:
        notice.first_opened_at = timezone.now()
        notice.first_opened_by = actor
        notice.save(update_fields=["first_opened_at", "first_opened_by"])
        write_audit(
            actor=actor,
            action="publication.written_notice_opened",
            obj=notice,
            jurisdiction_path=notice.cycle.jurisdiction.path,
            after={"first_opened_at": notice.first_opened_at.isoformat()},
        )
    return notice
