"""Reads of the written review; every list is scoped (employers.selectors): staff see the plans
of their jurisdiction (and the plans above it that reach into it) and the reviews of employers
in their subtree; an employer user only its own reviews; the sysadmin nothing."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from employers.choices import STAFF_ROLES, Role
from employers.paths import in_subtree, subtree_q
from employers.selectors import scope_by_employer

from .choices import (
    AWAITING_DECLARATION,
    OPEN_RECTIFICATION,
    UNIT_DOCS,
    WORKER_DOCS,
    DocType,
    RectificationStatus,
    ReviewStatus,
)
from .models import Problem, RectificationReport, Review, ReviewDocument, ReviewPlan

S = ReviewStatus


def visible_plans(user) -> QuerySet:
    plans = ReviewPlan.objects.select_related("jurisdiction")
    if not user.is_authenticated or not user.is_active or user.role not in STAFF_ROLES:
        return plans.none()
    if not user.jurisdiction_id:
        return plans.none()
    path = user.jurisdiction.path
    ancestors = []
    parts = path.split("/")
    for i in range(1, len(parts)):
        ancestors.append("/".join(parts[:i]))
    return plans.filter(subtree_q("jurisdiction__path", path) | Q(jurisdiction__path__in=ancestors))


def manageable_plan(user, plan: ReviewPlan) -> bool:
    """Plans are edited and drawn by writers of the plan's jurisdiction or above it."""
    if not user.has_role(Role.INSPECTOR, Role.SUPERVISOR) or not user.jurisdiction_id:
        return False
    path = user.jurisdiction.path
    return in_subtree(plan.jurisdiction.path, path)


def visible_reviews(user) -> QuerySet:
    reviews = Review.objects.select_related(
        "plan", "plan__jurisdiction", "employer", "employer__jurisdiction", "employer__street"
    )
    return scope_by_employer(reviews, user, "employer")


def visible_problems(user) -> QuerySet:
    problems = Problem.objects.select_related("review", "review__employer", "review__plan")
    return scope_by_employer(problems, user, "review__employer")


def visible_documents(user) -> QuerySet:
    return scope_by_employer(ReviewDocument.objects.all(), user, "review__employer")


def overdue_declarations(reviews: QuerySet, today: datetime.date) -> QuerySet:
    return reviews.filter(status__in=AWAITING_DECLARATION, due_date__lt=today).order_by(
        "due_date", "pk"
    )


def overdue_rectifications(problems: QuerySet, today: datetime.date) -> QuerySet:
    return problems.filter(
        review__status=S.APPROVED,
        review__rectification_due__lt=today,
        rectification__in=OPEN_RECTIFICATION + (RectificationStatus.OVERDUE,),
    ).order_by("review__rectification_due", "review_id", "number")


def reports_to_check(user) -> QuerySet:
    reports = RectificationReport.objects.filter(accepted__isnull=True).select_related(
        "problem", "problem__review", "problem__review__employer", "problem__review__plan"
    )
    return scope_by_employer(reports, user, "problem__review__employer").order_by("submitted_at")


# --- the checklist of papers (SPEC §10.3) --------------------------------------------------------


def checklist(review: Review) -> list[dict]:
    """Every paper the employer owes: the unit's, then each drawn worker's, with the files
    uploaded for it (empty = still missing)."""
    documents = defaultdict(list)
    for d in review.documents.filter(report__isnull=True).order_by("uploaded_at", "pk"):
        documents[(d.doc_type, d.worker_id)].append(d)
    labels = dict(DocType.choices)
    items = [
        {
            "doc_type": t,
            "worker": None,
            "label": str(labels[t]),
            "documents": documents.get((t, None), []),
        }
        for t in UNIT_DOCS
    ]
    for worker in review.roster.filter(sampled=True).order_by("row"):
        for t in WORKER_DOCS:
            items.append(
                {
                    "doc_type": t,
                    "worker": worker,
                    "label": _("%(worker)s的%(doc)s")
                    % {"worker": f"{worker.name}（第 {worker.row} 行）", "doc": labels[t]},
                    "documents": documents.get((t, worker.pk), []),
                }
            )
    return items


def orphan_documents(review: Review) -> QuerySet:
    """Papers of workers no longer on the roster (after a new roster was uploaded)."""
    return review.documents.filter(
        report__isnull=True, doc_type__in=WORKER_DOCS, worker__isnull=True
    )


# --- progress (SPEC §10.8) ---------------------------------------------------------------------

PROGRESS_COLUMNS = [
    ("sampled", gettext_lazy("抽中")),
    ("notified", gettext_lazy("已通知")),
    ("declared", gettext_lazy("已申报")),
    ("returned", gettext_lazy("退回补正中")),
    ("reviewed", gettext_lazy("已审查")),
    ("approved", gettext_lazy("已审批")),
    ("problems", gettext_lazy("发现问题")),
    ("rectified", gettext_lazy("已整改")),
    ("overdue", gettext_lazy("逾期未申报")),
]


def progress(reviews: QuerySet, today: datetime.date) -> dict:
    """Counts per street (乡镇街道) and in total, in two aggregate queries."""
    rows = (
        reviews.order_by()
        .values("employer__street__name")
        .annotate(
            sampled=Count("pk"),
            notified=Count("pk", filter=Q(notified_on__isnull=False)),
            declared=Count("pk", filter=Q(submitted_on__isnull=False)),
            returned=Count("pk", filter=Q(status=S.RETURNED)),
            reviewed=Count("pk", filter=Q(proposed_at__isnull=False)),
            approved=Count("pk", filter=Q(approved_on__isnull=False)),
            overdue=Count("pk", filter=Q(status__in=AWAITING_DECLARATION, due_date__lt=today)),
        )
    )
    problem_rows = (
        Problem.objects.filter(review__in=reviews.values("pk"))
        .order_by()
        .values("review__employer__street__name")
        .annotate(
            problems=Count("pk"),
            rectified=Count("pk", filter=Q(rectification=RectificationStatus.ACCEPTED)),
        )
    )
    none_label = _("（未填写街道）")
    by_street: dict[str, dict] = defaultdict(lambda: {k: 0 for k, _label in PROGRESS_COLUMNS})
    for row in rows:
        street = row["employer__street__name"] or none_label
        for key in (
            "sampled",
            "notified",
            "declared",
            "returned",
            "reviewed",
            "approved",
            "overdue",
        ):
            by_street[street][key] += row[key]
    for row in problem_rows:
        street = row["review__employer__street__name"] or none_label
        by_street[street]["problems"] += row["problems"]
        by_street[street]["rectified"] += row["rectified"]
    total = {k: sum(s[k] for s in by_street.values()) for k, _label in PROGRESS_COLUMNS}
    streets = sorted(by_street.items())
    return {
        "columns": PROGRESS_COLUMNS,
        "streets": [(name, [counts[k] for k, _l in PROGRESS_COLUMNS]) for name, counts in streets],
        "total": [total[k] for k, _l in PROGRESS_COLUMNS],
        "chart": {
            "labels": [name for name, _c in streets],
            "series": [
                {"key": k, "label": str(label), "data": [counts[k] for _n, counts in streets]}
                for k, label in PROGRESS_COLUMNS
            ],
        },
    }


def status_counts(reviews: QuerySet) -> dict[str, int]:
    return {
        row["status"]: row["n"]
        for row in reviews.order_by().values("status").annotate(n=Count("pk"))
    }
