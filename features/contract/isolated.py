"""A file's parser run in a process of its own, bounded in memory and time.

Why. calamine (the Rust reader of .xls, .xlsb and .ods files) trusts the sizes a file
declares: a damaged Excel 97-2003 file (a copy stopped part way, a byte gone wrong in a
record) makes it ask for 4 GiB at once and more after, and a failed allocation in Rust
aborts the whole process rather than raising. Of 300 damaged workbooks (`bench/damaged.py`)
the readers as called before killed the asking process 33 times, and calamine still stops
its process on some that pass the compound file's check (`features.contract.sheets`); in
the server, one such paper uploaded to a round's page would have taken the service down. So
such a reader runs as `python -m <module> <file>
<args>` (`run_isolated`; the module calls `serve_child`), its address space limited to
`PARSER_MEMORY` bytes beyond what it starts with and its time to `PARSER_SECONDS`; its
answer comes back pickled on its standard output (our own code's, not the file's), and a
child that dies or runs out of time is a `ValueError` naming the file.
"""

from __future__ import annotations

import os
import pickle
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

PARSER_MEMORY: Final[int] = 4 << 30  # a legitimate workbook's cells take well under this
PARSER_SECONDS: Final[float] = 300.0  # a legitimate workbook reads in seconds


def run_isolated(path: Path, module: str, *args: str) -> Any:
    """What `module`'s `serve_child` answers for `path`: its value, or its ValueError
    raised here; ValueError naming `path` where the child died (an abort, the memory
    limit) or took longer than `PARSER_SECONDS`."""
    command = [sys.executable, "-m", module, str(path), *args]
    root = str(Path(__file__).resolve().parents[2])  # where `features` is, whatever the cwd
    path_env = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path_env, "OPENBLAS_NUM_THREADS": "1"}  # no BLAS here
    try:
        done = subprocess.run(command, capture_output=True, timeout=PARSER_SECONDS, check=False, env=env)  # fmt: skip
    except subprocess.TimeoutExpired:
        raise ValueError(f"{path.name}: a damaged workbook, its reader took over {PARSER_SECONDS:.0f} s: copy it again, or save it as .xlsx") from None  # fmt: skip
    if done.returncode != 0 or not done.stdout:
        raise ValueError(f"{path.name}: a damaged workbook, its reader stopped (exit {done.returncode}): copy it again, or save it as .xlsx")  # fmt: skip
    ok, value = pickle.loads(done.stdout)  # written by `serve_child`, our own code
    if not ok:
        raise value
    return value


def address_space_used() -> int:
    """Bytes of address space this process has now (what `RLIMIT_AS` counts)."""
    with open("/proc/self/statm") as statm:  # in pages
        return int(statm.read().split()[0]) * resource.getpagesize()


def limit_memory() -> None:
    """Bound this process's address space to what it uses now plus `PARSER_MEMORY`: a
    child calls it once its reader is imported, before it reads."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = address_space_used() + PARSER_MEMORY
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))  # fmt: skip


def serve_child(read: Callable[..., Any]) -> None:
    """In the child: `read(Path(argv[1]), *argv[2:])`, its answer or its error pickled on
    standard output for `run_isolated`; any failure but a ValueError is the file's too."""
    path = Path(sys.argv[1])
    try:
        answer: tuple[bool, Any] = (True, read(path, *sys.argv[2:]))
    except ValueError as error:  # what a reader says of a file it refuses
        answer = (False, error)
    except BaseException as error:  # a panic in calamine is one (pyo3's PanicException)
        answer = (False, ValueError(f"{path.name}: not a readable workbook ({error})"))
    try:
        data = pickle.dumps(answer)
    except Exception:  # an error that cannot travel travels as its text
        data = pickle.dumps((False, ValueError(str(answer[1]))))
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
