"""Live regrade (SPEC §4 动态调整; seed 003 二（四）“发生违法违规行为需要降级的，应当重新评价”):
after any record is added, corrected or voided — the ledger sends ``record_changed`` after commit —
the employer is regraded at once, so the inspector sees the new grade on the next page."""

import logging

logger = logging.getLogger(__name__)


def on_record_changed(sender, *, employer_id, record=None, action="", imported=False, **kwargs):
    from .services import regrade_employer
    from .tasks import regrade_employer_task

    record_id = getattr(record, "pk", None)
    if imported:
        # A file of many records: one task per employer, off the request (eager without a broker).
        regrade_employer_task.delay(employer_id, record_id)
        return
    try:
        regrade_employer(employer_id, record=record)
    except Exception:
        # The record is committed whatever happens here; a worker retries the regrade.
        logger.exception("live regrade of employer %s failed; queued for retry", employer_id)
        try:
            regrade_employer_task.delay(employer_id, record_id)
        except Exception:
            logger.exception("could not queue the regrade of employer %s", employer_id)


def on_records_imported(sender, *, first_id, last_id, count=0, **kwargs):
    """A records file was imported: ONE task regrades every employer it touched, in batches
    (never one task per employer: a file of 350,000 rows names tens of thousands)."""
    from .tasks import regrade_imported_task

    try:
        regrade_imported_task.delay(first_id, last_id)
    except Exception:
        # The records are committed; the nightly run regrades everyone anyway.
        logger.exception("could not queue the regrade of imported records %s–%s", first_id, last_id)
