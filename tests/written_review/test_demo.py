"""seed_demo's written review: a plan in progress with employers in every state, idempotent."""

import io
import random

from credit_records.models import CreditRecord
from employers.choices import Role
from employers.models import User
from written_review import demo
from written_review.models import ReviewPlan

from ..factories import EmployerFactory, UserFactory, jurisdiction
from .helpers import D


def test_demo_plan_has_every_state(db, django_capture_on_commit_callbacks):
    jx = jurisdiction("jiaxian")
    UserFactory(username="inspector_jiaxian", role=Role.INSPECTOR, jurisdiction=jx)
    UserFactory(username="supervisor_jiaxian", role=Role.SUPERVISOR, jurisdiction=jx)
    employers = [EmployerFactory(jurisdiction=jx, industry="construction") for _ in range(20)]
    UserFactory(username="employer_demo", role=Role.EMPLOYER, employer=employers[0],
                jurisdiction=None)  # fmt: skip
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(rng=random.Random(1), stdout=out, today=D(2026, 11, 30))
    plan = ReviewPlan.objects.get(jurisdiction=jx, year=2025)
    statuses = set(plan.reviews.values_list("status", flat=True))
    assert statuses == {"sampled", "notified", "submitted", "returned", "proposed", "approved",
                        "closed"}  # fmt: skip
    assert plan.reviews.filter(status="notified", due_date__lt=D(2026, 11, 30)).count() >= 2
    assert plan.reviews.filter(obstruction_record__isnull=False).count() == 1
    assert plan.reviews.get(employer=employers[0]).status == "approved"
    assert User.objects.get(username="employer_review").employer.written_reviews.get().status == (
        "notified"
    )
    assert CreditRecord.objects.filter(kind="written_review").count() == 4
    records = CreditRecord.objects.count()
    demo.seed(rng=random.Random(1), stdout=out, today=D(2026, 11, 30))
    assert CreditRecord.objects.count() == records and "已存在" in out.getvalue()
