"""Registry freshness per street on a fixed clock (seed 001 一(三): each street's registry updated
once a year, at least five new employers a month)."""

import datetime

import pytest
from django.utils import timezone

from credit_records.models import AuditEntry
from employers.choices import EmployerStatus, Role
from employers.models import Employer
from employers.services import import_employers
from supervision import selectors, services

from ..factories import EmployerFactory, UserFactory, jurisdiction

D = datetime.date
TODAY = D(2025, 7, 15)  # months shown: 2024-07 … 2025-06; fresh since 2024-07-16
pytestmark = pytest.mark.django_db


def at(day: D, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def employer_in(street_code, *, created, updated=None, confirmed=None, **fields):
    employer = EmployerFactory(
        jurisdiction=jurisdiction("jiaxian"), street=jurisdiction(street_code), **fields
    )
    Employer.objects.filter(pk=employer.pk).update(
        created_at=created, updated_at=updated or created, registry_confirmed_at=confirmed
    )
    return employer


def rows_by_street(today=TODAY):
    return {r.name: r for r in selectors.registry_freshness(jurisdiction("jiaxian"), today)}


def test_a_street_with_four_new_employers_last_month_falls_short():
    for day in (3, 9, 17, 30):
        employer_in("jiaxian-longshan", created=at(D(2025, 6, day)))
    for day in (1, 2, 3, 4, 30):
        employer_in("jiaxian-dongcheng", created=at(D(2025, 6, day)))
    employer_in("jiaxian-dongcheng", created=at(D(2025, 7, 1)))  # this month: not yet counted
    rows = rows_by_street()
    longshan, dongcheng = rows["龙山街道"], rows["东城街道"]
    assert longshan.new_by_month == [0] * 11 + [4]
    assert longshan.last_month_new == 4 and longshan.new_short and longshan.short
    assert dongcheng.new_by_month == [0] * 11 + [5]
    assert not dongcheng.new_short and not dongcheng.short
    # The other streets had nobody new: they fall short too, even without employers.
    assert rows["安良镇"].short and rows["安良镇"].total == 0
    assert selectors.month_starts(TODAY)[0] == D(2024, 7, 1)
    assert selectors.month_starts(TODAY)[-1] == D(2025, 6, 1)


def test_new_employers_are_counted_in_their_local_month():
    # 2025-05-31 23:30 in Beijing is 15:30 UTC: May, not June.
    employer_in("jiaxian-longshan", created=at(D(2025, 5, 31), 23, 30))
    employer_in("jiaxian-longshan", created=at(D(2025, 6, 1), 0, 5))
    row = rows_by_street()["龙山街道"]
    assert row.new_by_month[-2:] == [1, 1]
    assert row.months_short == 12


def test_share_changed_or_confirmed_in_twelve_months():
    cutoff = at(D(2024, 7, 16), 0, 0)
    old = at(D(2023, 1, 5))
    fresh_changed = employer_in("jiaxian-anliang", created=old, updated=cutoff)
    stale = employer_in(
        "jiaxian-anliang", created=old, updated=cutoff - datetime.timedelta(minutes=1)
    )
    confirmed = employer_in(
        "jiaxian-anliang", created=old, updated=old, confirmed=at(D(2025, 1, 2))
    )
    confirmed_long_ago = employer_in(
        "jiaxian-anliang", created=old, updated=old, confirmed=at(D(2024, 7, 15))
    )
    gone = employer_in("jiaxian-anliang", created=old, status=EmployerStatus.DEREGISTERED)
    Employer.objects.filter(pk=gone.pk).update(updated_at=old)
    row = rows_by_street()["安良镇"]
    assert (row.total, row.fresh, row.stale) == (4, 2, 2)
    assert str(row.percent_fresh) == "50.0" and row.fresh_short and row.short
    stale_list = list(
        selectors.stale_employers(
            jurisdiction("jiaxian"), TODAY, UserFactory(jurisdiction=jurisdiction("jiaxian"))
        )
    )
    assert stale_list == [confirmed_long_ago, stale]  # the longest untouched first
    assert (
        fresh_changed not in stale_list and confirmed not in stale_list and gone not in stale_list
    )


def test_confirm_unchanged_is_audited_and_makes_the_employer_fresh():
    inspector = UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("jiaxian"))
    today = timezone.localdate()
    employer = employer_in("jiaxian-xuedian", created=at(today - datetime.timedelta(days=800)))
    assert not selectors.is_fresh(Employer.objects.get(pk=employer.pk), today)
    name_before = employer.name
    services.confirm_registry(actor=inspector, employer=employer)
    employer.refresh_from_db()
    assert selectors.is_fresh(employer, today)
    assert employer.name == name_before
    entry = AuditEntry.objects.get(action="employers.registry_confirm")
    assert entry.actor == inspector and entry.object_id == str(employer.pk)
    assert entry.before == {"registry_confirmed_at": None}


def test_confirm_is_refused_outside_the_jurisdiction_and_to_other_roles():
    employer = employer_in("jiaxian-xuedian", created=at(D(2023, 1, 1)))
    for user in (
        UserFactory(role=Role.INSPECTOR, jurisdiction=jurisdiction("xiqing")),
        UserFactory(role=Role.PUBLISHER, jurisdiction=jurisdiction("jiaxian")),
        UserFactory(role=Role.AUDITOR, jurisdiction=jurisdiction("jiaxian")),
    ):
        with pytest.raises(Exception) as info:
            services.confirm_registry(actor=user, employer=employer)
        assert info.type.__name__ == "PermissionDenied"
    employer.refresh_from_db()
    assert employer.registry_confirmed_at is None


def test_an_import_that_changes_an_employer_moves_its_updated_at():
    employer = employer_in("jiaxian-longshan", created=at(D(2023, 1, 1)))
    unchanged = employer_in("jiaxian-longshan", created=at(D(2023, 1, 1)))
    rows = [
        "uscc,name,kind,jurisdiction,street",
        f"{employer.uscc},{employer.name}（更名）,enterprise,jiaxian,龙山街道",
        f"{unchanged.uscc},{unchanged.name},enterprise,jiaxian,龙山街道",
    ]
    report = import_employers(data="\n".join(rows).encode(), filename="e.csv")
    assert report.ok and report.updated == 1, report.problems
    employer.refresh_from_db()
    unchanged.refresh_from_db()
    assert employer.updated_at > at(D(2024, 1, 1))
    assert unchanged.updated_at == at(D(2023, 1, 1))
