"""The `PENATAAN_*` variables set in the environment that no setting reads.

pydantic-settings reads the variables it knows and passes over the rest, so a misspelt one
(`PENATAAN_PRECISON=0.9`, `PENATAAN_MIN_GAIN_LOWW=0`) left the default in force and nothing
said so: a deployer who meant to ask for 90% of moves helping got 80%. The command line names
each such variable once, with the nearest one a setting reads."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from pydantic_settings import BaseSettings

PREFIX = "PENATAAN_"
OTHERS = frozenset({"PENATAAN_TRACEBACK"})  # read by the command line itself (penataan.cli.main)


def settings_classes() -> tuple[type[BaseSettings], ...]:
    """Every settings class a `penataan` process may build: the API's (a superset of the
    pipeline's), a round's and the model review's."""
    from planning.settings import PlanSettings
    from serving.settings import ServeSettings
    from training.settings import ReviewSettings

    return ServeSettings, PlanSettings, ReviewSettings


def known_variables() -> frozenset[str]:
    """Every `PENATAAN_*` variable something reads, upper case."""
    from training.settings import environment_variables

    names = {v for kind in settings_classes() for vs in environment_variables(kind).values() for v in vs}  # fmt: skip
    return OTHERS | {name for name in names if name.startswith(PREFIX)}


def unread(environ: Mapping[str, str]) -> list[str]:
    """A line for each `PENATAAN_*` variable in `environ` that no setting reads (names are
    read without regard to case, as pydantic-settings reads them), with the nearest one that
    is read where one is near."""
    ours = sorted(name for name in environ if name.upper().startswith(PREFIX))
    known = known_variables() if ours else frozenset()
    lines = []
    for name in ours:
        if name.upper() not in known:
            near = difflib.get_close_matches(name.upper(), known, n=1, cutoff=0.8)
            hint = f": did you mean {near[0]}?" if near else " (`penataan settings` lists them)"
            lines.append(f"{name} is set but no setting reads it{hint}")
    return lines
