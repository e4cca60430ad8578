"""What every benchmark here shares: medians over repeats, peak memory, a printed table.

Machines are shared and noisy, so benchmarks report medians and ratios measured in the
same process, never a single absolute time.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from penataan.quiet import quiet_mlflow as quiet

T = TypeVar("T")


quiet()  # every benchmark imports this module: tables, not MLflow's lines


def median_time(job: Callable[[], T], repeats: int) -> tuple[float, T]:
    """Median wall seconds of `job` over `repeats` runs, and the last run's result."""
    times = []
    result: Any = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = job()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def peak_rss_gib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def process_memory_gib(pid: int | str = "self", field: str = "VmHWM") -> float:
    """A process's own resident memory from /proc: `VmHWM`, its high-water mark (unlike
    `ru_maxrss`, which survives exec and so reports a spawned child's parent, it is per
    process image), or `VmRSS`, what it holds now."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024**2
    return float("nan")


def process_peak_gib(pid: int | str = "self") -> float:
    return process_memory_gib(pid, "VmHWM")


def penataan_process(args: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds and peak RSS (GiB) of one whole `penataan` command; its error if it fails."""
    penataan = str(Path(sys.executable).with_name("penataan"))
    began = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", penataan, *args], env=env,
                          capture_output=True, text=True)  # fmt: skip
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return seconds, int(done.stderr.strip().splitlines()[-1]) / 2**20


def print_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain fixed-width table: text left-aligned, numbers right-aligned with separators."""

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    cells = [[cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(header)]
    print(
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    )
    for row in cells:
        print(
            "  ".join(
                v.ljust(w) if i == 0 else v.rjust(w)
                for i, (v, w) in enumerate(zip(row, widths, strict=True))
            )
        )
