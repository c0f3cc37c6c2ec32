"""python manage.py verify_ledger

Recomputes the hash chain over every ledger entry and reports each entry whose content no
longer matches its hash (or whose link to the previous entry is broken). Exit status 0 when the
ledger is intact, 1 when something was changed behind the ledger's back.
"""

import sys

from django.core.management.base import BaseCommand

from credit_records.ledger import verify
from credit_records.models import CreditRecord


class Command(BaseCommand):
    help = "校验信用记录账本的哈希链，报告写入后被篡改的记录"

    def handle(self, *args, **options):
        problems = 0
        for problem in verify():
            problems += 1
            self.stderr.write(str(problem))
        total = CreditRecord.objects.count()
        if problems:
            self.stderr.write(f"账本校验失败：{total} 条记录中发现 {problems} 处不一致。")
            sys.exit(1)
        self.stdout.write(f"账本完整：{total} 条记录，哈希链校验通过。")
