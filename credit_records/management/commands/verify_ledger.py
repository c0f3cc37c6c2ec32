"""python manage.py verify_ledger [--files] [--checkpoint-dir DIR]

Recomputes the keyed hash chains of the credit ledger and of the audit log and reports every
entry whose content no longer matches its hash, every broken link, a head or seal that does not
match; checks that both chains still pass through every signed checkpoint (``audit.checkpoints``:
a cut tail or a head rolled back is reported there); checks that every ledger entry the audit
log names still exists. With --files it also re-reads every evidence file and compares it with
the SHA-256 recorded at upload. Exit status 0 when everything is intact, 1 when something was
changed behind the application's back.
"""

import datetime
import hashlib
import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from audit.checkpoints import checkpoints_for, load_checkpoints
from audit.services import verify_audit
from credit_records.ledger import verify
from credit_records.models import Attachment, AuditEntry, CreditRecord

STALE = datetime.timedelta(days=2)
LEDGER_ACTIONS = ("credit_records.add", "credit_records.correct", "credit_records.void")


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


def audited_entries_missing(*, batch: int = 5000):
    """Ledger entries the audit log says were written and that are gone."""
    named = AuditEntry.objects.filter(action__in=LEDGER_ACTIONS).order_by("pk")
    pending: dict[int, int] = {}

    def check():
        present = set(
            CreditRecord.objects.filter(pk__in=list(pending)).values_list("pk", flat=True)
        )
        for record_id, audit_id in sorted(pending.items()):
            if record_id not in present:
                yield (
                    f"entry {record_id}: 审计日志 #{audit_id} 记载写入了该记录，但账本中已不存在"
                    "（记录被删除）"
                )
        pending.clear()

    for audit_id, object_id in named.values_list("pk", "object_id").iterator(chunk_size=batch):
        if object_id.isdigit():
            pending[int(object_id)] = audit_id
        if len(pending) >= batch:
            yield from check()
    for audit_id, after in (
        AuditEntry.objects.filter(action="credit_records.import")
        .order_by("pk")
        .values_list("pk", "after")
        .iterator(chunk_size=batch)
    ):
        for record_id in (after or {}).get("ids") or ():
            if isinstance(record_id, int):
                pending[record_id] = audit_id
    yield from check()


class Command(BaseCommand):
    help = "校验信用记录账本和审计日志的哈希链与检查点（及证据文件），报告被篡改之处"

    def add_arguments(self, parser):
        parser.add_argument("--files", action="store_true", help="同时校验证据附件文件")
        parser.add_argument(
            "--checkpoint-dir",
            help="检查点文件所在目录（默认 LEDGER_CHECKPOINT_DIR）",
        )

    def handle(self, *args, files=False, checkpoint_dir=None, **options):
        problems = 0

        def report(problem):
            nonlocal problems
            problems += 1
            self.stderr.write(str(problem))

        loaded = load_checkpoints(directory=Path(checkpoint_dir) if checkpoint_dir else None)
        for checkpoint in loaded:
            if checkpoint.problem:
                report(f"checkpoint {checkpoint.path.name}: {checkpoint.problem}")
        for problem in verify(checkpoints=checkpoints_for("ledger", loaded)):
            report(problem)
        for problem in verify_audit(checkpoints=checkpoints_for("audit", loaded)):
            report(problem)
        for problem in audited_entries_missing():
            report(problem)
        if files:
            for problem in file_problems():
                report(problem)
        total = CreditRecord.objects.count()
        audit_total = AuditEntry.objects.count()
        valid = [c for c in loaded if not c.problem]
        if problems:
            self.stderr.write(f"账本校验失败：{total} 条记录中发现 {problems} 处不一致。")
            sys.exit(1)
        latest = valid[-1].body["created_at"] if valid else None
        if latest and timezone.now() - datetime.datetime.fromisoformat(latest) > STALE:
            self.stdout.write(
                f"注意：最近一个检查点是 {latest}，已超过两天；请检查每日发布检查点的定时任务"
                "（publication.tasks.publish_checkpoint）。"
            )
        self.stdout.write(
            f"账本完整：{total} 条记录，审计日志 {audit_total} 条，哈希链校验通过；"
            + (
                f"与 {len(valid)} 个检查点一致（最近一个：{latest}）。"
                if valid
                else "没有检查点（尚未发布过检查点，无法发现链尾被截断）。"
            )
        )
