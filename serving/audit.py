"""The audit log of who asked about whom: SQLite, append-only.

Rows hold the key's name (never the key), the endpoint, the NIP or unit asked about, the
model version and the HTTP status; never a person's name or a protected attribute.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

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


class AuditLog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("pragma journal_mode=wal")
        self._db.execute(SCHEMA)
        self._lock = threading.Lock()

    def append(
        self,
        endpoint: str,
        status: int,
        key_name: str | None,
        subject: str | None,
        model_version: str | None,
    ) -> None:
        at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
        with self._lock:
            self._db.execute(
                "insert into audit (at, key_name, endpoint, subject, model_version, status)"
                " values (?, ?, ?, ?, ?, ?)",
                (at, key_name, endpoint, subject, model_version, status),
            )

    def rows(self) -> list[tuple[str, str | None, str, str | None, str | None, int]]:
        with self._lock:
            return list(
                self._db.execute(
                    "select at, key_name, endpoint, subject, model_version, status"
                    " from audit order by id"
                )
            )

    def close(self) -> None:
        self._db.close()
