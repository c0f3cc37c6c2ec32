"""``manage.py draw_sample <plan kind> …`` (SPEC §9) — draws a written-review or patrol plan.

The subcommands come from ``employers.samplers`` (each app registers its own in ready()), e.g.

    draw_sample written-review --jurisdiction CODE --year Y --seed N --output FILE [--dry-run]
    draw_sample patrol --jurisdiction CODE --from YYYY-MM-DD --to YYYY-MM-DD --seed N --output FILE [--dry-run]

Exit status: 0 done; 1 a data error (reason on stderr); 2 a usage error.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from employers.samplers import SamplingError, sampler, samplers


class Command(BaseCommand):
    help = "抽取书面审查或双随机检查名单（CSV：uscc,name,grade,reason）"

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="plan_kind", metavar="{计划类型}")
        subparsers.required = True
        for entry in samplers():
            sub = subparsers.add_parser(entry.name, help=entry.help)
            entry.add_arguments(sub)

    def handle(self, *args, plan_kind, **options):
        entry = sampler(plan_kind)
        if entry is None:  # only when called from code with an unknown name
            raise CommandError(f"未知的计划类型：{plan_kind}", returncode=2)
        try:
            entry.handle(options, stdout=self.stdout)
        except SamplingError as exc:
            self.stderr.write(str(exc))
            sys.exit(1)
