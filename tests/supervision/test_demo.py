import datetime
import io
import random

import pytest

from employers.choices import EmployerKind, Role
from supervision import demo, selectors
from supervision.models import CommitmentLetter, PatrolPlan, PatrolTask

from ..factories import EmployerFactory, UserFactory, jurisdiction
from .conftest import publish_cycle

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 9, 10)


def test_demo_data_shows_plans_a_short_street_and_letters():
    streets = [s for s in jurisdiction("jiaxian").subtree().filter(level="street")]
    employers = {}
    for k in range(60):
        e = EmployerFactory(jurisdiction=jurisdiction("jiaxian"), street=streets[k % len(streets)])
        employers[e] = "ABCD"[k % 4] if k % 7 else "C"
    publish_cycle("jiaxian", 2024, employers)
    UserFactory(
        username="inspector_jiaxian", role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian")
    )
    UserFactory(
        username="inspector_xuchang", role=Role.INSPECTOR, jurisdiction=jurisdiction("xuchang")
    )
    agencies = [
        EmployerFactory(kind=EmployerKind.HR_AGENCY, jurisdiction=jurisdiction("xuchang"))
        for _ in range(6)
    ]
    UserFactory(
        username="employer_xuchang", role=Role.EMPLOYER, employer=agencies[0], jurisdiction=None
    )

    out = io.StringIO()
    demo.seed(rng=random.Random(1), stdout=out, today=TODAY)
    plans = PatrolPlan.objects.filter(jurisdiction=jurisdiction("jiaxian"))
    assert plans.count() == 2
    tasks = PatrolTask.objects.filter(plan__in=plans)
    assert (
        tasks.filter(record__isnull=False).exists() and tasks.filter(record__isnull=True).exists()
    )
    rows = {
        r.street.code: r
        for r in selectors.registry_freshness(jurisdiction("jiaxian"), TODAY)
        if r.street
    }
    assert rows[demo.SHORT_STREET].short and rows[demo.SHORT_STREET].last_month_new == 3
    assert not rows["jiaxian-dongcheng"].short
    letters = CommitmentLetter.objects.filter(year=TODAY.year)
    assert letters.count() == 3 and not letters.filter(employer=agencies[0]).exists()

    counts = (PatrolPlan.objects.count(), PatrolTask.objects.count(), letters.count())
    demo.seed(rng=random.Random(1), stdout=io.StringIO(), today=TODAY)
    assert (PatrolPlan.objects.count(), PatrolTask.objects.count(), letters.count()) == counts
