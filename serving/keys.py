"""API keys: roles, creation and verification. Only a key's SHA-256 hash is ever stored.

The key file is re-read when it changes, so `penataan keys create` takes effect on a
running server without a restart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Role = Literal["hr", "reviewer", "admin"]
ROLES: tuple[Role, ...] = ("hr", "reviewer", "admin")

# What each role may call; `admin` may call everything.
PERMISSIONS: dict[Role, frozenset[str]] = {
    "hr": frozenset({"recommend", "candidates"}),
    "reviewer": frozenset({"model", "feature-importance"}),
    "admin": frozenset(
        {"recommend", "candidates", "model", "feature-importance", "reload", "plan"}
    ),
}


@dataclass(frozen=True)
class ApiKey:
    name: str
    role: Role
    created_at: str


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyStore:
    """The key file: `{"keys": [{"name", "role", "sha256", "created_at"}]}`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._by_hash: dict[str, ApiKey] = {}

    def _entries(self) -> list[dict[str, str]]:
        if not self.path.exists():
            return []
        entries: list[dict[str, str]] = json.loads(self.path.read_text())["keys"]
        return entries

    def create(self, role: str, name: str) -> str:
        """A new key for `name` with `role`; returns the key, which is not stored anywhere."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
        if not name.strip():
            raise ValueError("a key needs a name (who or which tool holds it)")
        entries = self._entries()
        if any(e["name"] == name for e in entries):
            raise ValueError(f"a key named {name!r} exists; revoke it first")
        key = "pnt_" + secrets.token_urlsafe(32)
        entries.append(
            {
                "name": name,
                "role": role,
                "sha256": _hash(key),
                "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            }
        )
        self._write(entries)
        return key

    def revoke(self, name: str) -> bool:
        entries = self._entries()
        kept = [e for e in entries if e["name"] != name]
        self._write(kept)
        return len(kept) < len(entries)

    def holders(self) -> list[ApiKey]:
        return [ApiKey(e["name"], e["role"], e["created_at"]) for e in self._entries()]  # type: ignore[arg-type]

    def _write(self, entries: list[dict[str, str]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"keys": entries}, indent=2))
        os.chmod(tmp, 0o600)
        tmp.replace(self.path)  # atomic: a running server never reads half a file

    def verify(self, key: str | None) -> ApiKey | None:
        """The key's holder, or None. Compares hashes in constant time."""
        if not key:
            return None
        self._refresh()
        digest = _hash(key)
        for known, holder in self._by_hash.items():
            if hmac.compare_digest(known, digest):
                return holder
        return None

    def _refresh(self) -> None:
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if stamp == self._stamp:
                return
            self._by_hash = {
                e["sha256"]: ApiKey(e["name"], e["role"], e["created_at"])  # type: ignore[arg-type]
                for e in self._entries()
            }
            self._stamp = stamp
