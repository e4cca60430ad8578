"""The audit log of who asked about whom: SQLite, append-only, and fail-closed.

Rows hold the key's name (never the key), the endpoint, the NIP or unit asked about, the
model version and the HTTP status; never a person's name or a protected attribute. A call's
row is committed before its response is sent (`serving.middleware.RequestLog`); when it
cannot be (the file locked past the timeout, read-only, full, or replaced by another file)
the call is refused with 503 rather than answered unrecorded. A deleted log is not a reason
to stop for good: a new file is started at once, its first row saying when the old one was
found missing, and the server's log says so too. The file is created readable by its owner
only (it says who asked about whom). Its write-ahead log is copied back into the file on a
thread beside the calls (`oversight.wal`), so that no call waits for that copy.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
import threading
from pathlib import Path
from typing import NoReturn

from oversight.store import RETENTION_DAYS
from oversight.wal import Checkpointer

log = logging.getLogger("penataan.serving")

SCHEMA = """
create table if not exists audit (
    id integer primary key autoincrement,
    at text not null,
    key_name text,
    endpoint text not null,
    subject text,
    model_version text,
    status integer not null
)
"""


class AuditError(RuntimeError):
    """A row could not be committed: the call that needed it is refused."""


class AuditLogDeleted(AuditError):
    """The open file is gone from its path: a new log is started in its place."""


class AuditLog:
    """One SQLite file, opened once; `problem` says why it cannot be written, if it cannot."""

    def __init__(self, path: Path, timeout_seconds: float = 2.0) -> None:
        self.path = path
        self.timeout = timeout_seconds
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None
        self.problem: str | None = None
        self._checkpoints = Checkpointer(path, timeout_seconds=timeout_seconds)
        try:
            self.append("startup", 0, None, None, None)  # proves the file is writable
        except AuditError as error:
            self.problem = str(error)

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():  # SQLite would create it world-readable under umask 022
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        db = sqlite3.connect(
            self.path, timeout=self.timeout, check_same_thread=False, isolation_level=None
        )
        db.execute("pragma journal_mode=wal")
        db.execute("pragma synchronous=full")
        db.execute("pragma wal_autocheckpoint=0")  # copied back beside the calls: `oversight.wal`
        db.execute(SCHEMA)
        st = os.stat(self.path)
        self._identity = (st.st_dev, st.st_ino)
        return db

    def _check_identity(self) -> None:
        """The file this process opened is still the one at `path` (not deleted, not swapped)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise AuditLogDeleted(f"audit log {self.path} was deleted") from None
        if (st.st_dev, st.st_ino) != self._identity:
            raise AuditError(f"audit log {self.path} was replaced by another file")

    def append(
        self,
        endpoint: str,
        status: int,
        key_name: str | None,
        subject: str | None,
        model_version: str | None,
    ) -> None:
        """Commit one row, or raise `AuditError` saying why not (never silently drop it)."""
        at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
        # bounded: with the file locked, 64 callers queued here must not wait 64 timeouts
        if not self._lock.acquire(timeout=self.timeout):
            self._failed(f"audit log {self.path} is busy: no turn to write in {self.timeout:g} s")
        try:
            try:
                if self._db is None:
                    self._db = self._open()
                else:
                    try:
                        self._check_identity()
                    except AuditLogDeleted as gone:
                        self._db.close()
                        self._db = self._open()
                        self._insert((at, None, "audit-restarted", str(gone), None, 0))
                        log.error("%s: a new audit log was started in its place", gone)
                self._insert((at, key_name, endpoint, subject, model_version, status))
            except (sqlite3.Error, OSError) as error:
                self._failed(f"audit log {self.path} cannot be written: {error}")
            except AuditError as error:
                self._failed(str(error))
            self.problem = None
        finally:
            self._lock.release()

    def _insert(self, row: tuple[str, str | None, str, str | None, str | None, int]) -> None:
        """(at, key_name, endpoint, subject, model_version, status)."""
        assert self._db is not None
        self._db.execute(
            "insert into audit (at, key_name, endpoint, subject, model_version, status)"
            " values (?, ?, ?, ?, ?, ?)",
            row,
        )
        self._checkpoints.committed()

    def _failed(self, problem: str) -> NoReturn:
        if problem != self.problem:
            log.error("calls refused: %s", problem)
        self.problem = problem
        raise AuditError(problem) from None

    def purge(self, before: dt.date, decided_by: str, today: dt.date | None = None) -> int:
        """Remove rows older than `before` and say so in a row of its own; refused
        (`ValueError`) when `before` is less than `RETENTION_DAYS` ago (the EU AI Act's
        six months for a deployer's logs, Art. 26(6)). Returns the rows removed."""
        today = today or dt.date.today()
        latest = today - dt.timedelta(days=RETENTION_DAYS)
        if before > latest:
            raise ValueError(f"the audit log is kept at least {RETENTION_DAYS} days: the latest purge date today is {latest}, not {before}")  # fmt: skip
        with self._lock:
            db = self._db or self._open()
            try:
                db.execute("begin immediate")
                removed = db.execute(
                    "delete from audit where at < ?", (before.isoformat(),)
                ).rowcount
                at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
                db.execute("insert into audit (at, key_name, endpoint, subject, model_version, status)"
                           " values (?, ?, 'audit-purged', ?, null, 0)", (at, decided_by, f"{removed} rows before {before}"))  # fmt: skip
                db.execute("commit")
            finally:
                if self._db is None:
                    db.close()
        return int(removed)

    def rows(self) -> list[tuple[str, str | None, str, str | None, str | None, int]]:
        """Every row but the startup markers, oldest first."""
        with self._lock:
            db = self._db or self._open()
            return list(
                db.execute(
                    "select at, key_name, endpoint, subject, model_version, status"
                    " from audit where endpoint != 'startup' order by id"
                )
            )

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
