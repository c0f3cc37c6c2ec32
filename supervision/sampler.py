"""``python manage.py draw_sample patrol`` (SPEC §9, §11): the patrol sampler registered with the
draw_sample command of written_review (see ``apps.SupervisionConfig.ready``).

    draw_sample patrol --jurisdiction CODE --from YYYY-MM-DD --to YYYY-MM-DD --seed N
                       --output FILE [--dry-run]

Writes ``uscc,name,grade,reason,inspectors`` (CSV, UTF-8 with BOM) — the same inputs and seed give
the same bytes. Without ``--dry-run`` the plan is stored, and drawing again for the same
jurisdiction and an overlapping period is refused. Exit status 0; 2 on a usage error; 1 on a
data error; the reason on stderr.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from credit_records.periods import cn_date

from .sampling import csv_bytes

USAGE = 2
DATA = 1
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class UsageError(Exception):
    pass


def _date(value, option: str) -> dt.date:
    value = str(value or "").strip()
    if not _ISO_DATE.match(value):
        raise UsageError(
            _("%(option)s 应为 YYYY-MM-DD 格式的日期，收到“%(value)s”")
            % {"option": option, "value": value}
        )
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            _("%(option)s 不是有效日期：“%(value)s”") % {"option": option, "value": value}
        ) from None


def _line(stream, text: str) -> None:
    stream.write(text if text.endswith("\n") else text + "\n")


def grade_name(grade: str) -> str:
    return _("%(g)s级") % {"g": grade} if grade else _("未评级")


class PatrolSampler:
    """The sampler object: ``add_arguments(parser)`` and ``run(options, stdout, stderr)``."""

    name = "patrol"
    help = gettext_lazy("日常巡查双随机抽取：按等级比例抽取用人单位，每家随机确定两名检查人员")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--jurisdiction", required=True, metavar="CODE", help=_("辖区代码"))
        parser.add_argument(
            "--from", dest="period_from", required=True, metavar="YYYY-MM-DD", help=_("计划期间起")
        )
        parser.add_argument(
            "--to", dest="period_to", required=True, metavar="YYYY-MM-DD", help=_("计划期间止")
        )
        parser.add_argument("--seed", required=True, metavar="N", help=_("随机种子（非负整数）"))
        parser.add_argument("--output", required=True, metavar="FILE", help=_("输出的 CSV 文件"))
        parser.add_argument("--dry-run", action="store_true", help=_("只输出抽取结果，不保存计划"))

    def parse(self, options: dict) -> dict:
        """Check the options; UsageError (exit 2) for anything malformed."""
        period_from = _date(options.get("period_from"), "--from")
        period_to = _date(options.get("period_to"), "--to")
        if period_from > period_to:
            raise UsageError(_("--from 不能晚于 --to"))
        seed_text = str(options.get("seed") if options.get("seed") is not None else "").strip()
        if not seed_text.isdigit():
            raise UsageError(_("--seed 应为非负整数，收到“%(value)s”") % {"value": seed_text})
        seed = int(seed_text)
        from .services import MAX_SEED

        if seed > MAX_SEED:
            raise UsageError(_("--seed 过大（最大 %(max)d）") % {"max": MAX_SEED})
        output = str(options.get("output") or "").strip()
        if not output or Path(output).suffix.lower() != ".csv":
            raise UsageError(_("--output 应为 .csv 文件，收到“%(value)s”") % {"value": output})
        code = str(options.get("jurisdiction") or "").strip()
        if not code:
            raise UsageError(_("缺少 --jurisdiction"))
        return {
            "code": code,
            "period_from": period_from,
            "period_to": period_to,
            "seed": seed,
            "output": Path(output),
            "dry_run": bool(options.get("dry_run")),
        }

    def handle(self, options: dict, *, stdout) -> None:
        """``employers.samplers`` protocol: a data error raises SamplingError (exit 1), a usage
        error CommandError with return code 2."""
        import io

        from django.core.management.base import CommandError

        from employers.samplers import SamplingError

        errors = io.StringIO()
        status = self.run(options, stdout, errors)
        if status == USAGE:
            raise CommandError(errors.getvalue().strip(), returncode=USAGE)
        if status == DATA:
            raise SamplingError(errors.getvalue().strip())

    def run(self, options: dict, stdout, stderr) -> int:
        from employers.models import Jurisdiction

        from . import services

        try:
            args = self.parse(options)
        except UsageError as exc:
            _line(stderr, str(exc))
            return USAGE
        jurisdiction = Jurisdiction.objects.filter(code=args["code"]).first()
        if jurisdiction is None:
            _line(stderr, _("辖区代码“%(code)s”不存在") % {"code": args["code"]})
            return DATA
        if not args["output"].parent.is_dir():
            _line(stderr, _("输出目录不存在：%(dir)s") % {"dir": args["output"].parent})
            return DATA
        try:
            with transaction.atomic():
                outcome = services.draw_plan(
                    actor=None,
                    jurisdiction=jurisdiction,
                    period_from=args["period_from"],
                    period_to=args["period_to"],
                    seed=args["seed"],
                    dry_run=args["dry_run"],
                )
                # The file first: if it cannot be written, the plan is not stored either.
                args["output"].write_bytes(csv_bytes(outcome.draw.rows))
        except ValidationError as exc:
            for message in exc.messages:
                _line(stderr, message)
            return DATA
        except OSError as exc:
            _line(stderr, _("无法写入输出文件：%(error)s") % {"error": exc})
            return DATA
        counts = "，".join(
            f"{grade_name(c.grade)} {c.drawn}/{c.candidates}" for c in outcome.draw.counts
        )
        _line(
            stdout,
            _("%(j)s %(start)s至%(end)s：抽取 %(n)d 家（%(counts)s），随机种子 %(seed)d")
            % {
                "j": jurisdiction.name,
                "start": cn_date(args["period_from"]),
                "end": cn_date(args["period_to"]),
                "n": len(outcome.draw.rows),
                "counts": counts,
                "seed": args["seed"],
            },
        )
        if outcome.plan is None:
            _line(stdout, _("试运行：未保存计划。"))
        else:
            _line(stdout, _("计划已保存，可在“巡查计划”页面查看任务与进度。"))
        _line(stdout, _("已写入 %(file)s") % {"file": args["output"]})
        return 0


patrol_sampler = PatrolSampler()
