"""Samplers of ``manage.py draw_sample`` (SPEC §9): one subcommand per kind of plan, contributed
by the app that owns the plan (the written review registers ``written-review``, supervision
``patrol``). The command knows none of them: each app registers in its AppConfig.ready():

    from employers.samplers import SamplingError, register_sampler

    def add_arguments(parser):          # an argparse (sub)parser: add the options
        parser.add_argument("--jurisdiction", required=True, metavar="CODE")
        ...

    def handle(options, *, stdout):     # options: dict of the parsed options
        ...                             # raise SamplingError("中文原因") for a data error (exit 1)

    register_sampler(name="patrol", help="…", add_arguments=add_arguments, handle=handle)

Exit status (SPEC §9): 0 done; 1 ``SamplingError`` (reason on stderr); 2 usage error (argparse).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


class SamplingError(Exception):
    """A data error of a draw (unknown jurisdiction, a plan drawn already…): exit status 1."""


@dataclass(frozen=True)
class Sampler:
    name: str
    help: str
    add_arguments: Callable
    handle: Callable


_SAMPLERS: dict[str, Sampler] = {}


def register_sampler(*, name: str, help: str, add_arguments: Callable, handle: Callable) -> None:
    """Register (or replace, on a second ready()) the subcommand ``name``."""
    _SAMPLERS[name] = Sampler(name, help, add_arguments, handle)


def samplers() -> list[Sampler]:
    return [_SAMPLERS[name] for name in sorted(_SAMPLERS)]


def sampler(name: str) -> Sampler | None:
    return _SAMPLERS.get(name)
