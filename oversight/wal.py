"""Checkpoints of a SQLite write-ahead log, on a thread of their own, beside the writers.

In WAL mode SQLite copies the log back into the database file inside whichever commit
fills it (`wal_autocheckpoint`, 1,000 pages): that commit's caller waits for the copy and
its fsync, tens of milliseconds on a shared disk, up to 174 ms measured (a scratch
profile of `/v1/recommend` on `mataram`, each call committing an audit row and the record
of what it showed). A writer that turns that off (`pragma wal_autocheckpoint=0`) and
calls `Checkpointer.committed` after each commit has the copy made here, every `every`
commits, on a connection of this thread's own, while the writers go on.

The checkpoint is PASSIVE: it never waits for a reader or a writer and never makes one
wait. What was written while it ran stays in the log; then the next commit asks for
another at once (not `every` commits later), so the log starts over at the first quiet
moment and does not grow under steady load.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path


class Checkpointer:
    """Checkpoints the log of the database at `path` every `every` commits (see above)."""

    def __init__(self, path: Path, every: int = 64, timeout_seconds: float = 5.0) -> None:
        self.path, self.every, self.timeout = path, every, timeout_seconds
        self._commits = 0
        self._behind = False  # the last checkpoint left frames in the log
        self._due = threading.Event()
        self._thread: threading.Thread | None = None
        self._guard = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None  # (device, inode) of the file it opened

    def committed(self) -> None:
        """Count a commit; every `every` of them (at once while the last checkpoint left
        frames behind), wake the checkpointing thread."""
        with self._guard:
            self._commits += 1
            if self._commits % self.every and not self._behind:
                return
            if self._thread is None or not self._thread.is_alive():
                name = f"checkpoint {self.path.name}"
                self._thread = threading.Thread(target=self._run, name=name, daemon=True)
                self._thread.start()
        self._due.set()

    def _run(self) -> None:
        while True:
            self._due.wait()
            self._due.clear()
            self._behind = not self.checkpoint()

    def checkpoint(self) -> bool:
        """One PASSIVE checkpoint; whether it copied every frame of the log (a failure
        counts as not: the next commit asks again, and nothing is lost meanwhile, the log
        only grows). The connection is kept between checkpoints and opened anew after a
        failure or when the file at `path` is another than the one it opened (deleted and
        started again, as the audit log is: the old one is not held open)."""
        try:
            st = os.stat(self.path)
            identity = (st.st_dev, st.st_ino)
            if self._db is not None and identity != self._identity:
                self._db.close()
                self._db = None
            if self._db is None:
                self._db = sqlite3.connect(
                    self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
                )
                self._identity = identity
            busy, frames, copied = self._db.execute("pragma wal_checkpoint(PASSIVE)").fetchone()
            return bool(busy == 0 and copied >= frames)
        except (sqlite3.Error, OSError):
            if self._db is not None:
                self._db.close()
                self._db = None
            return False
