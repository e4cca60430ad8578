"""MLflow's own output, kept out of what people read.

MLflow's INFO and WARNING lines (creating an experiment, pickling the pyfunc) and its
download progress bars are for its developers, not for the people running a command or
reading a benchmark's table: only its errors are shown. MLflow sets its loggers' level from
`MLFLOW_LOGGING_LEVEL` when it is first imported, so the variable is set before any import
(the commands import MLflow lazily); a value the caller set wins.
"""

from __future__ import annotations

import logging
import os


def quiet_mlflow() -> None:
    """Only MLflow's errors, and no progress bars, from here on (also if already imported)."""
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "ERROR")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    logging.getLogger("mlflow").setLevel(logging.ERROR)
