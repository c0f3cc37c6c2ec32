"""python manage.py publish_checkpoint

Signs the current heads of the ledger and the audit log and publishes the checkpoint now (a file
under LEDGER_CHECKPOINT_DIR and a message to the shared credit platform), as the daily beat task
does. Prints the file's name.
"""

from django.core.management.base import BaseCommand

from publication.checkpoints import publish_checkpoint


class Command(BaseCommand):
    help = "立即发布账本和审计日志链头的签名检查点（文件和信用平台各一份）"

    def handle(self, *args, **options):
        checkpoint = publish_checkpoint()
        chains = "，".join(
            f"{name} {c['length']} 条" for name, c in sorted(checkpoint["chains"].items())
        )
        self.stdout.write(f"已发布检查点（{checkpoint['created_at']}）：{chains}")
