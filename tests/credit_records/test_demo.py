import datetime
import io
import random

import pytest

from credit_records import demo
from credit_records.ledger import verify
from credit_records.models import CreditRecord
from employers.choices import EmployerKind
from tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


def test_demo_spread_is_valid_chained_and_idempotent():
    for i in range(60):
        EmployerFactory(kind=EmployerKind.HR_AGENCY if i % 5 == 0 else EmployerKind.ENTERPRISE)
    today = datetime.date(2025, 6, 30)
    demo.seed(rng=random.Random(1), stdout=io.StringIO(), today=today)
    count = CreditRecord.objects.count()
    kinds = set(CreditRecord.objects.values_list("kind", flat=True))
    assert {
        "violation",
        "patrol_inspection",
        "public_credit_rating",
        "wage_arrears_blacklist",
    } <= kinds
    assert CreditRecord.objects.filter(entry_type="correction").exists()
    assert CreditRecord.objects.filter(entry_type="void").exists()
    assert not CreditRecord.objects.filter(date__gt=today).exists()
    assert not list(verify())
    demo.seed(rng=random.Random(1), stdout=io.StringIO(), today=today)
    assert CreditRecord.objects.count() == count
