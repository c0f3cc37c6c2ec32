"""python manage.py verify_ledger [--files]

Recomputes the hash chain over every ledger entry and reports each entry whose content no
longer matches its hash (or whose link to the previous entry is broken); with --files it also
re-reads every evidence file and compares it with the SHA-256 recorded at upload. Exit status
0 when everything is intact, 1 when something was changed behind the ledger's back.
"""

import hashlib
import sys

from django.core.management.base import BaseCommand

from credit_records.ledger import verify
from credit_records.models import Attachment, CreditRecord


def file_problems():
    for attachment in Attachment.objects.order_by("pk").iterator(chunk_size=500):
        try:
            with attachment.file.open("rb") as fh:
                digest = hashlib.sha256()
                for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                    digest.update(chunk)
        except OSError:
            yield f"attachment {attachment.pk}（记录 {attachment.record_id}）：文件缺失"
            continue
        if digest.hexdigest() != attachment.sha256:
            yield f"attachment {attachment.pk}（记录 {attachment.record_id}）：文件内容与上传时的哈希不符"


class Command(BaseCommand):
    help = "校验信用记录账本的哈希链（及证据文件），报告写入后被篡改的记录"

    def add_arguments(self, parser):
        parser.add_argument("--files", action="store_true", help="同时校验证据附件文件")

    def handle(self, *args, files=False, **options):
        problems = 0
        for problem in verify():
            problems += 1
            self.stderr.write(str(problem))
        if files:
            for problem in file_problems():
                problems += 1
                self.stderr.write(problem)
        total = CreditRecord.objects.count()
        if problems:
            self.stderr.write(f"账本校验失败：{total} 条记录中发现 {problems} 处不一致。")
            sys.exit(1)
        self.stdout.write(f"账本完整：{total} 条记录，哈希链校验通过。")
