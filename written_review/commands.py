"""``manage.py draw_sample written-review --jurisdiction CODE --year Y --seed N --output FILE
[--dry-run]`` (SPEC §9), registered with ``employers.samplers``.

- No plan yet: the candidates are read as they stand (operating employers, latest published
  grades), drawn with the default ratios (or those of a plan still in draft, with its manual
  additions) and — without ``--dry-run`` — the plan is stored with its seed and candidate list.
- A plan already drawn: drawing again is refused (exit 1); with ``--dry-run`` the draw is
  repeated from what the plan stored, so ``--seed`` = the plan's seed gives its very list (the
  plan page shows this command).
The CSV is ``uscc,name,grade,reason``; the same inputs and seed give the same bytes.
"""

import argparse
from pathlib import Path

from django.core.exceptions import ValidationError

from employers.models import Jurisdiction
from employers.samplers import SamplingError

from . import sampling, services
from .choices import PlanStatus
from .models import ReviewPlan


def _seed(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"随机种子应为非负整数：{value!r}")
    return number


def _year(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 2000 <= number <= 2100:
        raise argparse.ArgumentTypeError(f"审查年度应为四位年份：{value!r}")
    return number


def add_arguments(parser):
    parser.add_argument("--jurisdiction", required=True, metavar="CODE", help="辖区代码")
    parser.add_argument("--year", required=True, type=_year, metavar="Y", help="审查年度")
    parser.add_argument("--seed", required=True, type=_seed, metavar="N", help="随机种子")
    parser.add_argument("--output", required=True, metavar="FILE", help="输出 CSV 文件")
    parser.add_argument("--dry-run", action="store_true", help="只抽取并输出，不保存计划")


def command_line(plan: ReviewPlan, *, output: str = "sample.csv") -> str:
    """How to repeat a stored draw (shown on the plan page)."""
    return (
        f"python manage.py draw_sample written-review --jurisdiction {plan.jurisdiction.code} "
        f"--year {plan.year} --seed {plan.seed} --output {output} --dry-run"
    )


def handle(options, *, stdout):
    code, year, seed = options["jurisdiction"], options["year"], options["seed"]
    dry_run = options.get("dry_run", False)
    jurisdiction = Jurisdiction.objects.filter(code=code).first()
    if jurisdiction is None:
        raise SamplingError(f"辖区代码“{code}”不存在")
    path = Path(options["output"])
    if not path.parent.exists():
        raise SamplingError(f"输出目录不存在：{path.parent}")
    plan = ReviewPlan.objects.filter(jurisdiction=jurisdiction, year=year).first()
    if plan is not None and plan.status == PlanStatus.DRAWING:
        raise SamplingError(f"{plan}正在抽取，请稍后再试")
    if plan is not None and plan.status == PlanStatus.DRAWN:
        if not dry_run:
            raise SamplingError(
                f"{plan}已于 {plan.drawn_at:%Y-%m-%d} 抽取（随机种子 {plan.seed}），不能再次抽取；"
                f"加 --dry-run 可按保存的候选名单重新演算"
            )
        sample = services.redraw(plan, seed=seed)
        note = f"按保存的候选名单（{plan.candidate_count} 家）重新演算，未保存"
    elif dry_run:
        transient = plan or ReviewPlan(
            jurisdiction=jurisdiction,
            year=year,
            enterprises_only=services.enterprises_only_default(jurisdiction, year),
        )
        candidates = [c for rows in services.fresh_candidates(transient) for _pk, c in rows]
        manual = services.manual_candidates(plan) if plan is not None else []
        try:
            sample = sampling.draw(
                ratios=transient.ratios, seed=seed, candidates=candidates, manual=manual
            )
        except sampling.RatioError as exc:
            raise SamplingError(str(exc)) from None
        note = f"候选单位 {len(candidates)} 家，未保存（--dry-run）"
    else:
        try:
            if plan is None:
                plan = services.create_plan(actor=None, jurisdiction=jurisdiction, year=year)
            services.start_draw(actor=None, plan=plan, seed=seed, run_now=True)
        except ValidationError as exc:
            raise SamplingError("；".join(exc.messages)) from None
        services.run_draw(plan.pk)
        plan.refresh_from_db()
        if plan.status != PlanStatus.DRAWN:
            raise SamplingError(f"抽取失败：{plan.draw_error}")
        sample = services.redraw(plan)
        note = f"候选单位 {plan.candidate_count} 家，计划已保存"
    path.write_bytes(sampling.sample_csv(sample))
    stdout.write(f"已抽取 {len(sample)} 家（{note}），名单已写入 {path}")
