"""The gap-free published sequence (SPEC §12: ``published?after=N``).

Every published result and every published adjustment gets the next number, in the transaction
that publishes it: the counter row is locked ``FOR UPDATE`` and raised by the count. So

- numbers are consecutive (1, 2, 3 …): a publication that rolls back takes its numbers back with
  it — a PostgreSQL sequence would have burnt them and left a gap;
- a transaction holding numbers commits before the next one can take any, so what a reader sees
  is always a prefix 1 … k of the sequence: a partner that has read up to N never finds a smaller
  number appearing later behind it.

The lock is taken at the end of the publishing transaction (the ``results_published`` signal is
sent after the results are written), so publications wait for each other only that long.
"""

from __future__ import annotations

from .choices import ItemKind
from .models import PublishedItem, SequenceCounter

PUBLISHED = "published"


def allocate(count: int, name: str = PUBLISHED) -> int:
    """Reserve ``count`` consecutive numbers; returns the first. Must run inside the transaction
    whose rows carry the numbers."""
    counter = SequenceCounter.objects.select_for_update().filter(name=name).first()
    if counter is None:
        # The row comes from the migration; after a test database flush it is made again here
        # (ON CONFLICT DO NOTHING, so two first publications cannot both insert it).
        SequenceCounter.objects.bulk_create(
            [SequenceCounter(name=name, last=0)], ignore_conflicts=True
        )
        counter = SequenceCounter.objects.select_for_update().get(name=name)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return first


def record_results(*, cycle) -> int:
    """Number the results of a publication that have no number yet, in the order they were
    written (their ids), with one INSERT … SELECT (a million rows need no Python objects)."""
    from django.db import connection
    from django.utils import timezone

    from publication.models import PublishedResult

    unnumbered = PublishedResult.objects.filter(cycle=cycle).exclude(
        exchange_items__kind=ItemKind.RESULT
    )
    count = unnumbered.count()
    if not count:
        return 0
    first = allocate(count)
    items = PublishedItem._meta.db_table
    results_table = PublishedResult._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {items} (seq, kind, result_id, adjustment_id, jurisdiction_path, uscc,
                                 recorded_at)
            SELECT %s - 1 + ROW_NUMBER() OVER (ORDER BY r.id), %s, r.id, NULL, %s, r.uscc, %s
            FROM {results_table} r
            WHERE r.cycle_id = %s
              AND NOT EXISTS (SELECT 1 FROM {items} i WHERE i.result_id = r.id AND i.kind = %s)
            """,
            [
                first,
                ItemKind.RESULT.value,
                cycle.jurisdiction.path,
                timezone.now(),
                cycle.pk,
                ItemKind.RESULT.value,
            ],
        )
        written = cursor.rowcount
    if written != count:  # cannot happen under the counter lock; never leave a gap silently
        raise RuntimeError(f"numbered {written} results, expected {count}")
    return count


def record_adjustment(adjustment) -> PublishedItem:
    result = adjustment.result
    return PublishedItem.objects.create(
        seq=allocate(1),
        kind=ItemKind.ADJUSTMENT,
        result_id=result.pk,
        adjustment=adjustment,
        jurisdiction_path=result.cycle.jurisdiction.path,
        uscc=result.uscc,
    )
