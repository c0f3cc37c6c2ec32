from django.core.management.base import BaseCommand

from publication.choices import OutboxStatus
from publication.models import OutboxMessage
from publication.outbox import drain


class Command(BaseCommand):
    help = "Send the due messages of the outbox to the shared credit platform now."

    def add_arguments(self, parser):
        parser.add_argument("--max-seconds", type=float, default=None, help="stop after this long")

    def handle(self, *args, max_seconds=None, **options):
        stats = drain(max_seconds=max_seconds)
        pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count()
        failed = OutboxMessage.objects.filter(status=OutboxStatus.FAILED).count()
        self.stdout.write(
            f"claimed={stats.claimed} delivered={stats.delivered} retrying={stats.retrying} "
            f"failed={stats.failed}; now pending={pending} failed={failed}"
        )
        return None
