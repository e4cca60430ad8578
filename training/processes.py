"""Whether a process of this machine still runs: what tells a killed job's leftovers (a
training run left RUNNING, a scorer's parts' folder) from a live job's."""

from __future__ import annotations

import os


def process_alive(pid: int) -> bool:
    """True while process `pid` exists on this machine (another user's counts: signalling it
    is refused, not unknown)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
