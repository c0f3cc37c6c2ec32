"""The published sequence (SPEC §12): gap-free, assigned in the publishing transaction, and read
by ``published?after=N`` as a prefix — every item exactly once, in order — while publications run
concurrently in other connections (PostgreSQL)."""

import json
import threading

import pytest
from django.db import connection, transaction

from exchange import tokens
from exchange.models import PublishedItem, SequenceCounter
from grading.choices import CycleStatus
from grading.models import Cycle
from publication import hooks
from publication import services as publication
from publication.models import PublishedResult
from tests.factories import jurisdiction
from tests.publication.conftest import make_cycle

from .conftest import api

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class Boom(Exception):
    pass


def test_a_rolled_back_publication_leaves_no_gap(publisher, django_capture_on_commit_callbacks):
    first = make_cycle(year=2022, status=CycleStatus.FINAL)
    failing = make_cycle(year=2023, status=CycleStatus.FINAL)
    last = make_cycle(year=2024, status=CycleStatus.FINAL)
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish(cycle=first, actor=publisher)

    def explode(sender, **kwargs):
        raise Boom  # after exchange has numbered the results, before commit

    hooks.results_published.connect(explode, dispatch_uid="test-explode")
    try:
        with pytest.raises(Boom):
            publication.publish(cycle=failing, actor=publisher)
    finally:
        hooks.results_published.disconnect(dispatch_uid="test-explode")
    assert Cycle.objects.get(pk=failing.pk).status == CycleStatus.FINAL
    assert not PublishedResult.objects.filter(cycle=failing).exists()
    assert SequenceCounter.objects.get(name="published").last == 3

    with django_capture_on_commit_callbacks(execute=True):
        publication.publish(cycle=last, actor=publisher)
    seqs = list(PublishedItem.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == [1, 2, 3, 4, 5, 6]
    assert set(
        PublishedItem.objects.filter(seq__gt=3).values_list("result__cycle_id", flat=True)
    ) == {last.pk}


def _someone_waits_for_a_lock(timeout=30.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def test_paging_while_publications_run_concurrently(client, publisher, settings):
    """Cycle A is published; B's publication is held open (numbers taken, not committed) while
    C's publication queues behind it on the counter lock. A partner paging meanwhile sees A only;
    once B and C commit it continues from its cursor and gets B's items then C's, each once."""
    settings.EXCHANGE_API_RATE_PER_MINUTE = 10_000
    _row, token = tokens.create_token(name="同步测试", jurisdiction=jurisdiction("jiaxian"))
    many = [("B", ("jiaxian.B.1",))] * 40
    cycle_a = make_cycle(year=2021, grades=many, status=CycleStatus.FINAL)
    cycle_b = make_cycle(year=2022, grades=many, status=CycleStatus.FINAL)
    cycle_c = make_cycle(year=2023, grades=many, status=CycleStatus.FINAL)
    publication.publish(cycle=cycle_a, actor=publisher)

    b_numbered, release_b = threading.Event(), threading.Event()
    c_started = threading.Event()
    errors = []

    def hold_b(sender, cycle, **kwargs):
        if cycle.pk == cycle_b.pk:
            b_numbered.set()
            assert release_b.wait(30)

    hooks.results_published.connect(hold_b, dispatch_uid="test-hold-b")

    def publish_in_thread(cycle, before=None):
        try:
            if before:
                before.set()
            publication.publish(cycle=cycle, actor=publisher)
        except Exception as exc:  # noqa: BLE001 — reported to the test thread
            errors.append(exc)
        finally:
            connection.close()

    thread_b = threading.Thread(target=publish_in_thread, args=(cycle_b,))
    thread_c = threading.Thread(target=publish_in_thread, args=(cycle_c, c_started))
    try:
        thread_b.start()
        assert b_numbered.wait(30)
        thread_c.start()
        assert c_started.wait(30)
        assert _someone_waits_for_a_lock(), "C should wait for B's lock on the counter"

        seen, after = [], 0

        def read_all():
            nonlocal after
            while True:
                page = json.loads(
                    api(client, f"/api/v1/published?after={after}&limit=7", token).content
                )
                seen.extend((i["seq"], i["year"], i["uscc"]) for i in page["items"])
                after = page["next_after"]
                if not page["has_more"]:
                    return

        read_all()
        assert [s for s, *_ in seen] == list(range(1, 41))  # A only: B holds 41–80 uncommitted
        assert {y for _s, y, _u in seen} == {2021}
        read_all()  # nothing new while B is open and C waits for the lock
        assert len(seen) == 40
    finally:
        release_b.set()
        thread_b.join(60)
        thread_c.join(60)
        hooks.results_published.disconnect(dispatch_uid="test-hold-b")
    assert not errors, errors

    read_all()
    assert [s for s, *_ in seen] == list(range(1, 121))
    assert [y for _s, y, _u in seen] == [2021] * 40 + [2022] * 40 + [2023] * 40
    assert len({(y, u) for _s, y, u in seen}) == 120  # every result exactly once
    with transaction.atomic():
        assert SequenceCounter.objects.get(name="published").last == 120
