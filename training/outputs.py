"""Result files are written whole or not at all.

A full disk or a killed process must never leave a truncated `scores.csv` or `summary.json`
where a reader would take it for a complete one: each file is written to a temporary name
beside its target, flushed to disk, then renamed over it. Files that belong together (a
round's moves and its report) are all written before any is renamed, so a failure leaves
the previous set whole rather than a new `moves.csv` beside an old `report.html`. JSON is strict (no NaN or
Infinity, which other tools refuse): non-finite numbers become null.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path to write to; renamed to `target` only if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(target: Path, write: Callable[[Path], object]) -> Path:
    """Call `write(path)` on a temporary path, then move the finished file to `target`."""
    with atomic_path(target) as tmp:
        write(tmp)
    return target


def write_all(writes: dict[Path, Callable[[Path], object]]) -> list[Path]:
    """`write_atomic` for a set of files: every one written to its temporary path first,
    renamed into place only once all have succeeded."""
    with ExitStack() as stack:
        staged = {target: stack.enter_context(atomic_path(target)) for target in writes}
        for target, write in writes.items():
            write(staged[target])
    return list(writes)


def finite(value: Any) -> Any:
    """`value` with every NaN or infinite float (nested in dicts and lists) as None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def strict_json(value: Any) -> str:
    """JSON that any parser accepts (non-finite numbers as null)."""
    return json.dumps(finite(value), indent=2, ensure_ascii=False, allow_nan=False, default=str)
