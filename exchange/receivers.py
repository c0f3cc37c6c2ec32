"""What exchange does when publication publishes (connected in ``ExchangeConfig.ready``).

Both run inside the publishing transaction: the sequence numbers and the distribution job row
commit with the publication, or vanish with it."""

from __future__ import annotations

from . import sequence, services


def on_results_published(sender, *, cycle, results, **kwargs) -> None:
    sequence.record_results(cycle=cycle)
    services.queue_distribution(cycle=cycle, actor=getattr(cycle, "published_by", None))


def on_adjustment_saved(sender, instance, created, raw=False, **kwargs) -> None:
    """Every published adjustment, however it is made, takes the next number (post_save runs in
    the transaction of ``publication.services.adjust_published_result``)."""
    if created and not raw:
        sequence.record_adjustment(instance)
