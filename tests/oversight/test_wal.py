"""Checkpoints of the write-ahead log beside the writers (`oversight.wal`), on a real SQLite
file: the log reaches the file without a writer doing the copy, and a checkpoint a reader
held back is asked for again at the next commit, not `every` commits later."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from oversight.wal import Checkpointer


def _writer(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("pragma journal_mode=wal")
    db.execute("pragma wal_autocheckpoint=0")  # as the audit log and the record set it
    db.execute("create table if not exists t (x text)")
    return db


def _in_file(path: Path) -> int:
    """Rows the database file itself holds (the log left out): a copy of the file alone."""
    copy = path.with_name("copy.db")
    copy.write_bytes(path.read_bytes())
    with sqlite3.connect(copy) as db:
        try:
            return int(db.execute("select count(*) from t").fetchone()[0])
        except sqlite3.OperationalError:  # the table itself is still only in the log
            return 0
        except sqlite3.DatabaseError:  # the file alone is no whole image until the log is in
            return -1
        finally:
            copy.unlink()


def _soon(condition: Callable[[], bool], within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_every_few_commits_the_log_is_copied_into_the_file_beside_the_writer(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.db"
    db, checkpoints = _writer(path), Checkpointer(path, every=4)
    for k in range(3):
        db.execute("insert into t values (?)", (str(k),))
        checkpoints.committed()
    time.sleep(0.2)
    assert _in_file(path) == 0  # three commits: still only in the log
    db.execute("insert into t values ('4')")
    checkpoints.committed()
    assert _soon(lambda: _in_file(path) == 4)


class Counted(Checkpointer):
    """A checkpointer that notes each checkpoint its thread makes, and whether it was whole."""

    def __init__(self, path: Path, every: int) -> None:
        super().__init__(path, every=every)
        self.made: list[bool] = []

    def checkpoint(self) -> bool:
        whole = super().checkpoint()
        self.made.append(whole)
        return whole


def test_a_checkpoint_a_reader_held_back_is_asked_for_again_at_the_next_commit(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.db"
    db, checkpoints = _writer(path), Counted(path, every=3)
    db.execute("insert into t values ('a')")
    checkpoints.committed()
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("begin")
    assert reader.execute("select count(*) from t").fetchone()[0] == 1  # holds this snapshot
    for row in ("b", "c"):  # newer than what the reader may see
        db.execute("insert into t values (?)", (row,))
        checkpoints.committed()
    assert _soon(lambda: checkpoints.made == [False])  # the 3rd commit's: held back
    reader.execute("commit")
    reader.close()
    db.execute("insert into t values ('d')")
    checkpoints.committed()  # the 4th, not a multiple of 3: asked for at once all the same
    assert _soon(lambda: checkpoints.made == [False, True])
    assert _soon(lambda: _in_file(path) == 4)
    db.execute("insert into t values ('e')")
    checkpoints.committed()  # the log was whole again: the next one waits for the 6th
    time.sleep(0.3)
    assert checkpoints.made == [False, True]


def test_a_file_deleted_and_started_again_is_checkpointed_not_the_old_one(tmp_path: Path) -> None:
    path = tmp_path / "log.db"
    db, checkpoints = _writer(path), Checkpointer(path, every=1000)
    db.execute("insert into t values ('old')")
    assert checkpoints.checkpoint() is True
    db.close()
    for leftover in tmp_path.glob("log.db*"):  # deleted, as the audit log can be
        leftover.unlink()
    db = _writer(path)  # and started again in its place
    db.execute("insert into t values ('new')")
    assert checkpoints.checkpoint() is True
    assert _in_file(path) == 1  # the new file's log reached the new file
