"""API keys: roles, creation and verification. Only a key's SHA-256 hash is ever stored.

The key file is re-read when it changes, so `penataan keys create` takes effect on a
running server without a restart.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import logging
import os
import secrets
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from oversight.store import one_line_name

log = logging.getLogger("penataan.serving")

Role = Literal["hr", "reviewer", "admin"]
ROLES: tuple[Role, ...] = ("hr", "reviewer", "admin")

# What each role may call; `admin` may call everything.
PERMISSIONS: dict[Role, frozenset[str]] = {
    "hr": frozenset({"recommend", "candidates", "decide", "suggestions", "decision-reasons"}),
    "reviewer": frozenset(
        {"model", "feature-importance", "suggestions", "decision-reasons", "monitor"}
    ),
    "admin": frozenset(
        {
            "recommend",
            "candidates",
            "model",
            "feature-importance",
            "reload",
            "plan",
            "decide",
            "suggestions",
            "decision-reasons",
            "suspend",
            "monitor",
        }
    ),  # fmt: skip
}


@dataclass(frozen=True)
class ApiKey:
    name: str
    role: Role
    created_at: str
    kid: str = ""  # which key this is (the start of its hash): a page session names it


def _holder(entry: dict[str, str]) -> ApiKey:
    """A key file's entry as its holder (the key itself is in no file)."""
    return ApiKey(entry["name"], entry["role"], entry["created_at"], entry["sha256"][:16])  # type: ignore[arg-type]


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyFileError(RuntimeError):
    """The key file exists but cannot be used (corrupt, empty, unreadable): keyed routes
    answer 503 with this reason instead of letting anyone in or failing with a 500."""


class KeyStore:
    """The key file: `{"keys": [{"name", "role", "sha256", "created_at"}]}`.

    Writers (`create`, `revoke`, from any number of processes) hold an exclusive lock on
    `<file>.lock` around read-modify-write, write a uniquely named temporary file, fsync it,
    rename it over the old one and read it back, so concurrent writers never lose a key or
    resurrect a revoked one, and a reader never sees half a file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._by_hash: dict[str, ApiKey] = {}
        self.problem: str | None = None  # why the file cannot be used, if it cannot

    def _entries(self) -> list[dict[str, str]]:
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as error:
            raise KeyFileError(f"{self.path}: cannot be read ({error.strerror})") from None
        try:
            entries = json.loads(text.decode("utf-8"))["keys"]
            if not isinstance(entries, list) or not all(
                isinstance(e, dict) and {"name", "role", "sha256", "created_at"} <= set(e)
                for e in entries
            ):
                raise ValueError("each key needs name, role, sha256 and created_at")
            unknown = sorted({str(e["role"]) for e in entries} - set(ROLES))
            if unknown:  # a hand-edited role would otherwise fail every call it makes
                raise ValueError(f"unknown role {unknown[0]!r}; roles are {', '.join(ROLES)}")
        except (ValueError, KeyError, TypeError) as error:
            raise KeyFileError(f"{self.path}: not a key file ({error})") from None
        return entries

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # the owner's alone: a lock file others can open lets any local user block revocation
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
        with os.fdopen(fd, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def create(self, role: str, name: str) -> str:
        """A new key for `name` with `role`; returns the key, which is not stored anywhere."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
        name = one_line_name(name, "a key's name")
        key = "pnt_" + secrets.token_urlsafe(32)
        with self._exclusive():
            entries = self._entries()
            if any(e["name"] == name for e in entries):
                raise ValueError(f"a key named {name!r} exists; revoke it first")
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
        name = name.strip()
        with self._exclusive():
            entries = self._entries()
            kept = [e for e in entries if e["name"] != name]
            if len(kept) < len(entries):
                self._write(kept)
        return len(kept) < len(entries)

    def holders(self) -> list[ApiKey]:
        return [_holder(e) for e in self._entries()]

    def _write(self, entries: list[dict[str, str]]) -> None:
        """Atomically replace the file (the caller holds the lock) and check what landed."""
        payload = json.dumps({"keys": entries}, indent=2)
        fd, tmp = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        if self._entries() != entries:
            raise KeyFileError(f"{self.path}: the written key file does not read back")

    def verify(self, key: str | None) -> ApiKey | None:
        """The key's holder, or None. Compares hashes in constant time. Raises
        `KeyFileError` while the key file is unusable."""
        self.refresh()
        if self.problem:
            raise KeyFileError(self.problem)
        if not key:
            return None
        digest = _hash(key)
        for known, holder in self._by_hash.items():
            if hmac.compare_digest(known, digest):
                return holder
        return None

    def holder(self, kid: str) -> ApiKey | None:
        """The key `kid` names while it is in the file (None once revoked): a page session,
        made from a key at login, lasts no longer than the key. Raises `KeyFileError` while
        the key file is unusable."""
        self.refresh()
        if self.problem:
            raise KeyFileError(self.problem)
        return next((h for h in self._by_hash.values() if kid and h.kid == kid), None)

    def refresh(self) -> None:
        """Re-read the file if it changed (by stamp); `problem` then says if it is usable."""
        try:
            st = self.path.stat()
            stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if stamp == self._stamp:
                return
            try:
                entries = self._entries()
            except KeyFileError as error:
                if self.problem != str(error):
                    log.error("API keys refused until the file is fixed: %s", error)
                self.problem, self._by_hash = str(error), {}
            else:
                self.problem = None
                self._by_hash = {e["sha256"]: _holder(e) for e in entries}
            self._stamp = stamp
