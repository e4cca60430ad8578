"""The record: every suggestion shown, and what people decided about it. SQLite, append-only.

A suggestion's id is stable: the same employee and unit under the same model version, data
and date (and round, for a round's moves) get the same id however often they are shown, so
a decision taken on a printed list and one taken in the API name the same record. Its
snapshot (model name, version and run, data fingerprint, scores, gain and interval,
probability of helping, factors, eligibility) is stored when first shown and never changed,
so it can be fetched as it was after another model is promoted.

Decisions are rows that cannot be updated or deleted (SQLite triggers refuse it), each
carrying the SHA-256 of the previous row's hash and its own content: `verify` walks the
chain, so a row edited by hand (with the triggers dropped) is found, with its number. Writers
take the database's write lock (`BEGIN IMMEDIATE`) before reading the chain's end, so
concurrent writers, in threads or processes, never fork it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from oversight.reasons import APPROVALS, FINAL, STAGES, decision_problems
from oversight.wal import Checkpointer

GENESIS = "0" * 64
RETENTION_DAYS = 183  # decisions and their suggestions are kept at least six months
# Who may record each stage: HR prepares; Baperjakat's and the PPK's decisions are entered
# by an admin (the committee's secretary), never by an HR key.
STAGE_ROLES: dict[str, frozenset[str]] = {
    "hr": frozenset({"hr", "admin"}),
    "baperjakat": frozenset({"admin"}),
    "ppk": frozenset({"admin"}),
}
SCHEMA = """
create table if not exists suggestions (
    id text primary key, shown_at text not null, source text not null, round_id text,
    nip text not null, from_unit_id text, to_unit_id text not null, model_name text not null,
    model_version text not null, run_id text, data_fingerprint text not null,
    as_of text not null, snapshot text not null
);
create table if not exists decisions (
    seq integer primary key, at text not null, suggestion_id text not null
        references suggestions(id), stage text not null, decision text not null,
    reason_code text not null, note text, alt_unit_id text, sk_number text, tmt text,
    decided_by text not null, prev_hash text not null, hash text not null
);
create index if not exists decisions_by_suggestion on decisions(suggestion_id);
create index if not exists suggestions_by_person on suggestions(nip, as_of);
create table if not exists suspensions (
    seq integer primary key autoincrement, at text not null, action text not null,
    reason text not null, decided_by text not null
);
create table if not exists outcomes (
    seq integer primary key autoincrement, checked_at text not null, suggestion_id text not null
        references suggestions(id), data_fingerprint text not null, decision text not null,
    expected_unit_id text, period integer not null, status text not null, unit_id text,
    score real, detail text not null
);
create index if not exists outcomes_by_suggestion on outcomes(suggestion_id);
create trigger if not exists outcomes_no_update before update on outcomes
    begin select raise(abort, 'outcome checks are append-only'); end;
create table if not exists purges (
    seq integer primary key autoincrement, at text not null, horizon text not null,
    last_seq integer not null, last_hash text not null, decided_by text not null,
    reason text not null, removed text not null
);
create trigger if not exists purges_no_update before update on purges
    begin select raise(abort, 'the purge log is append-only'); end;
create trigger if not exists purges_no_delete before delete on purges
    begin select raise(abort, 'the purge log is append-only'); end;
create trigger if not exists suspensions_no_update before update on suspensions
    begin select raise(abort, 'the suspension log is append-only'); end;
create trigger if not exists suspensions_no_delete before delete on suspensions
    begin select raise(abort, 'the suspension log is append-only'); end;
create trigger if not exists decisions_no_update before update on decisions
    begin select raise(abort, 'decisions are append-only'); end;
drop trigger if exists decisions_no_delete;
create trigger decisions_no_delete before delete on decisions
    when old.at >= (select coalesce(max(horizon), '') from purges)
    begin select raise(abort, 'decisions are append-only'); end;
drop trigger if exists outcomes_no_delete;
create trigger outcomes_no_delete before delete on outcomes
    when old.checked_at >= (select coalesce(max(horizon), '') from purges)
    begin select raise(abort, 'outcome checks are append-only'); end;
create trigger if not exists suggestions_no_update before update on suggestions
    begin select raise(abort, 'a suggestion as shown is never changed'); end;
drop trigger if exists suggestions_no_delete;
create trigger suggestions_no_delete before delete on suggestions
    when old.shown_at >= (select coalesce(max(horizon), '') from purges)
    begin select raise(abort, 'a suggestion as shown is never deleted'); end;
"""
OUTCOME_FIELDS = ("suggestion_id", "data_fingerprint", "decision", "expected_unit_id", "period",
                  "status", "unit_id", "score", "detail")  # fmt: skip
DECISION_FIELDS = ("seq", "at", "suggestion_id", "stage", "decision", "reason_code", "note",
                   "alt_unit_id", "sk_number", "tmt", "decided_by")  # fmt: skip


def suggestion_id(
    model_name: str, version: str, fingerprint: str, as_of: str, nip: str, unit_id: str,
    round_id: str = "",
) -> str:  # fmt: skip
    """The stable id of showing `nip` in `unit_id` (see the module)."""
    key = "|".join((model_name, version, fingerprint, as_of, round_id, nip, unit_id))
    return "sg_" + hashlib.sha256(key.encode()).hexdigest()[:20]


class SuggestionRecord(BaseModel):
    """A suggestion as shown (the API's `SuggestionShown` adds when, and its decisions)."""

    model_config = ConfigDict(frozen=True, protected_namespaces=())

    id: str
    source: str  # recommend | candidates | plan
    round_id: str | None
    nip: str
    from_unit_id: str | None
    to_unit_id: str
    model_name: str
    model_version: str
    run_id: str | None
    data_fingerprint: str
    as_of: str
    snapshot: dict[str, Any]


def against_shown(
    shown: sqlite3.Row, decision: str, alt_unit_id: str | None, tmt: str | None
) -> list[tuple[str, str]]:
    """The rules a decision keeps against the suggestion it decides (`shown`: its from and
    to units and date): an `ubah` to the unit suggested or held, a TMT before the date."""
    found = []
    if decision == "ubah" and alt_unit_id == shown["to_unit_id"]:
        found.append(("alt_unit_id", "ubah names another unit than the one suggested"))
    if decision == "ubah" and alt_unit_id == shown["from_unit_id"]:  # a move to where they are
        found.append(("alt_unit_id", f"ubah names the unit the employee holds now ({alt_unit_id}): to keep them there, decide tolak"))  # fmt: skip
    if tmt is not None and str(tmt) < str(shown["as_of"]):  # before it was suggested
        found.append(("tmt", f"TMT {tmt} is before the suggestion's date ({shown['as_of']})"))
    return found


class Refused(ValueError):
    """A decision the rules do not allow: `status` is the HTTP answer (403, 404, 409, 422)
    and `field` the input to blame."""

    def __init__(self, status: int, field: str, message: str) -> None:
        super().__init__(message)
        self.status, self.field = status, field


MAX_NAME = 100


def one_line_name(text: str, what: str) -> str:
    """A person's or a tool's name as the record keeps it (who decided, suspended or purged;
    an API key's holder): without the spaces around it, one printable line (names are
    printed a line each and quoted in the minutes: a newline or a tab would forge a line or
    a column), at most `MAX_NAME` characters; else `Refused` (422) naming `what`."""
    name = text.strip()
    if not name:
        raise Refused(422, what, f"{what} is required (who, or which tool)")
    odd = [c for c in name if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
    if odd:
        raise Refused(422, what, f"{what} is one printable line: {name!r} holds {odd[0]!r}")
    if len(name) > MAX_NAME:
        raise Refused(422, what, f"{what} is at most {MAX_NAME} characters ({len(name)} given)")
    return name


def _row_hash(prev: str, row: dict[str, Any]) -> str:
    content = json.dumps({k: row[k] for k in DECISION_FIELDS}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256((prev + content).encode()).hexdigest()


class DecisionStore:
    """One SQLite file (created readable by its owner only), a connection per call."""

    def __init__(self, path: Path, timeout_seconds: float = 5.0) -> None:
        self.path, self.timeout = path, timeout_seconds
        # writers of one process take turns here rather than in SQLite's busy handler, whose
        # growing sleeps made a 1 s tail under 16 clients; other processes still meet the
        # database's own lock
        self._writing = threading.Lock()
        self._ready = False  # the file and schema are made on first use: a server starts
        # even where the file cannot be written yet, and says why on the calls that need it
        self._local = threading.local()
        self._checkpoints = Checkpointer(path, timeout_seconds=timeout_seconds)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """`_connection`, its SQLite errors naming the file: "database is locked" alone left
        an operator (`penataan decisions import`, the API's 503) guessing which of the
        machine's databases another process held (the API cuts the path to its name)."""
        try:
            with self._connection() as db:
                yield db
        except sqlite3.OperationalError as error:
            raise sqlite3.OperationalError(f"the decisions record {self.path}: {error}") from error

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, opened once and kept: connecting, and the pragmas, cost
        more than a short call's work. Reopened when the file at `path` is no longer the one
        it opened (deleted or replaced), so nothing is written to a file nobody can find."""
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                pass
        local = self._local
        try:
            st = os.stat(self.path)
            identity: tuple[int, int] | None = (st.st_dev, st.st_ino)
        except FileNotFoundError:
            identity = None
        db: sqlite3.Connection | None = getattr(local, "db", None)
        if db is not None and (identity is None or local.identity != identity):
            db.close()
            db = local.db = None
        if db is None:
            db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            db.row_factory = sqlite3.Row
            try:
                db.execute("pragma synchronous=full")
                # SQLite would copy the log back into the file inside whichever commit fills
                # it (one call in a hundred pays it): that work is done beside (`oversight.wal`)
                db.execute("pragma wal_autocheckpoint=0")
                if not self._ready:  # WAL is a property of the file: set once, not per call
                    db.execute("pragma journal_mode=wal")
                    # one transaction: writers starting together must not race on the triggers
                    db.executescript(f"begin immediate; {SCHEMA} commit;")
                    self._ready = True
            except BaseException:
                db.close()
                raise
            st = os.stat(self.path)
            local.db, local.identity, local.suspension = db, (st.st_dev, st.st_ino), None
        try:
            yield db
        except BaseException:
            if db.in_transaction:  # a failed call leaves no transaction open on the kept connection
                db.execute("rollback")
            raise

    def record(self, suggestions: list[SuggestionRecord]) -> None:
        """Store suggestions as shown; one already stored keeps its first snapshot."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        rows = [(s.id, now, s.source, s.round_id, s.nip, s.from_unit_id, s.to_unit_id,
                 s.model_name, s.model_version, s.run_id, s.data_fingerprint, s.as_of,
                 json.dumps(s.snapshot, ensure_ascii=False, default=str)) for s in suggestions]  # fmt: skip
        with self._writing, self._db() as db:
            db.execute("begin immediate")
            db.executemany("insert or ignore into suggestions values (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)  # fmt: skip
            db.execute("commit")
            self._checkpoints.committed()

    def suggestion(self, id_: str) -> dict[str, Any] | None:
        """The suggestion as it was shown, with every decision taken on it, oldest first."""
        with self._db() as db:
            row = db.execute("select * from suggestions where id = ?", (id_,)).fetchone()
            if row is None:
                return None
            decisions = db.execute(
                "select * from decisions where suggestion_id = ? order by seq", (id_,)
            ).fetchall()
        out = dict(row)
        out["snapshot"] = json.loads(out["snapshot"])
        out["decisions"] = [dict(d) for d in decisions]
        return out

    @staticmethod
    def _shown(db: sqlite3.Connection, suggestion_id: str) -> sqlite3.Row:
        shown = db.execute("select nip, as_of, from_unit_id, to_unit_id from suggestions where id = ?", (suggestion_id,)).fetchone()  # fmt: skip
        if shown is None:
            raise Refused(404, "suggestion_id", f"no suggestion {suggestion_id!r} was shown")
        return shown

    def problems(
        self, suggestion_id: str, decision: str, reason_code: str, note: str | None = None,
        alt_unit_id: str | None = None, sk_number: str | None = None, tmt: str | None = None,
    ) -> list[tuple[str, str]]:  # fmt: skip
        """Every rule `decide` would find this decision breaking, `(field, what is wrong)`,
        but those of the decisions recorded so far (stages in order, one final decision): what
        a committee's paper is checked against, all of its rows, before any is recorded."""
        found = decision_problems(decision, reason_code, note, alt_unit_id, sk_number, tmt)
        with self._db() as db:
            try:
                shown = self._shown(db, suggestion_id)
            except Refused as unknown:
                return [*found, (unknown.field, str(unknown))]
        return found + against_shown(shown, decision, alt_unit_id, tmt)

    def decide(
        self, suggestion_id: str, stage: str, decision: str, reason_code: str, decided_by: str,
        role: str, note: str | None = None, alt_unit_id: str | None = None,
        sk_number: str | None = None, tmt: str | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Append one decision after checking it against the rules and the record so far;
        raises `Refused` saying which input is to blame. The very decision a stage already
        recorded (every field the same, by the same person) is returned as recorded, marked
        `replayed`, and nothing is appended: a retry must not read as a conflict."""
        if stage not in STAGES:
            raise Refused(422, "stage", f"stage {stage!r} is not one of {', '.join(STAGES)}")
        if problems := decision_problems(decision, reason_code, note, alt_unit_id, sk_number, tmt):  # fmt: skip
            raise Refused(422, *problems[0])  # the first, by field: a client mends one at a time
        if role not in STAGE_ROLES[stage]:
            raise Refused(403, "stage", f"role {role!r} may not record the {stage} stage")
        decided_by = one_line_name(decided_by, "decided_by")
        with self._writing, self._db() as db:
            db.execute("begin immediate")  # the write lock before the chain's end is read
            try:
                row = self._append(db, suggestion_id, stage, decision, reason_code, decided_by,
                                   note, alt_unit_id, sk_number, tmt)  # fmt: skip
            except BaseException:
                db.execute("rollback")
                raise
            db.execute("commit")
            self._checkpoints.committed()
        return row

    def _append(
        self, db: sqlite3.Connection, suggestion_id: str, stage: str, decision: str,
        reason_code: str, decided_by: str, note: str | None, alt_unit_id: str | None,
        sk_number: str | None, tmt: str | None,
    ) -> dict[str, Any]:  # fmt: skip
        shown = self._shown(db, suggestion_id)
        if problems := against_shown(shown, decision, alt_unit_id, tmt):
            raise Refused(422, *problems[0])
        settled: dict[str, str] = {}  # stage -> its decision, deferrals (tunda) aside
        asked = {"decision": decision, "reason_code": reason_code, "note": note, "alt_unit_id": alt_unit_id,
                 "sk_number": sk_number, "tmt": tmt, "decided_by": decided_by}  # fmt: skip
        for earlier in db.execute("select * from decisions where suggestion_id = ? order by seq", (suggestion_id,)):  # fmt: skip
            if earlier["decision"] == "tunda":
                continue
            settled[earlier["stage"]] = earlier["decision"]
            if earlier["stage"] == stage and all(earlier[k] == v for k, v in asked.items()):
                # the same decision again: a client's retry after an answer it never got, or
                # a committee's paper imported twice; the record already holds it
                return {k: earlier[k] for k in earlier.keys()} | {"replayed": True}
        if FINAL in settled:
            raise Refused(409, "suggestion_id", f"already decided by the PPK ({settled[FINAL]}); a second final decision is refused")  # fmt: skip
        if stage in settled:
            raise Refused(409, "stage", f"the {stage} stage already decided ({settled[stage]})")
        for before in STAGES[: STAGES.index(stage)]:
            if before not in settled:
                raise Refused(409, "stage", f"the {before} stage decides before {stage}")
            if settled[before] == "tolak":
                raise Refused(409, "stage", f"rejected at the {before} stage: nothing left to decide")  # fmt: skip
        if stage == FINAL and decision in APPROVALS:
            self._one_approval(db, suggestion_id, shown["nip"], shown["as_of"])
        last = db.execute("select seq, hash from decisions order by seq desc limit 1").fetchone()
        if last is None:  # nothing left since a purge: the chain goes on from its anchor
            last = db.execute("select last_seq as seq, last_hash as hash from purges order by seq desc limit 1").fetchone()  # fmt: skip
        row: dict[str, Any] = {
            "seq": (last["seq"] if last else 0) + 1,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "suggestion_id": suggestion_id, "stage": stage, "decision": decision,
            "reason_code": reason_code, "note": note, "alt_unit_id": alt_unit_id,
            "sk_number": sk_number, "tmt": tmt, "decided_by": decided_by,
        }  # fmt: skip
        prev = str(last["hash"]) if last else GENESIS
        row |= {"prev_hash": prev, "hash": _row_hash(prev, row)}
        db.execute(
            f"insert into decisions ({', '.join(row)}) values ({', '.join('?' * len(row))})",
            tuple(row.values()),
        )
        return row | {"replayed": False}

    @staticmethod
    def _one_approval(db: sqlite3.Connection, suggestion_id: str, nip: str, as_of: str) -> None:
        """One approved move a person for one date: a round's item and an item HR looked up
        may name the same person, and two approvals would be one move executed (the last)
        and one outcome counted twice, or two moves no SK can carry out."""
        query = ("select s.id, s.to_unit_id from suggestions s join decisions d on d.suggestion_id = s.id"
                 f" where d.stage = ? and d.decision in ({', '.join('?' * len(APPROVALS))})"
                 " and s.nip = ? and s.as_of = ? and s.id != ? limit 1")  # fmt: skip
        other = db.execute(query, (FINAL, *APPROVALS, nip, as_of, suggestion_id)).fetchone()
        if other is not None:
            raise Refused(409, "suggestion_id", f"the PPK already approved a move for NIP {nip} as of {as_of} (suggestion {other['id']}, to {other['to_unit_id']}): one approved move a person a date; reject (tolak) this one or keep it deferred")  # fmt: skip

    def verify(self) -> list[str]:
        """Every break in the chain ("row 7: ..."); empty when the record is intact. After a
        purge the chain is checked from the last row it removed (`purges`)."""
        problems: list[str] = []
        with self._db() as db:
            # a purge row is the one way to start the chain anywhere but row 1: one written by
            # hand to hide deleted rows must at least keep the retention rule to pass
            for purge in db.execute("select * from purges order by seq"):
                made = dt.date.fromisoformat(str(purge["at"])[:10])
                if dt.date.fromisoformat(purge["horizon"]) > made - dt.timedelta(
                    days=RETENTION_DAYS
                ):
                    problems.append(f"purge {purge['seq']} of {made} removed rows newer than {RETENTION_DAYS} days ({purge['horizon']}): not a purge this record allows")  # fmt: skip
            anchor = db.execute("select last_seq, last_hash from purges order by seq desc limit 1").fetchone()  # fmt: skip
            prev = str(anchor["last_hash"]) if anchor else GENESIS
            expected_seq = int(anchor["last_seq"]) + 1 if anchor else 1
            for row in db.execute("select * from decisions order by seq"):
                values = dict(row)
                if values["seq"] != expected_seq:
                    problems.append(f"row {expected_seq}: missing (the next row is {values['seq']})")  # fmt: skip
                if values["prev_hash"] != prev:
                    problems.append(f"row {values['seq']}: does not follow row {values['seq'] - 1} (a row was removed or reordered)")  # fmt: skip
                if _row_hash(values["prev_hash"], values) != values["hash"]:
                    problems.append(f"row {values['seq']}: its content does not match its hash (edited after it was written)")  # fmt: skip
                prev, expected_seq = values["hash"], values["seq"] + 1
        return problems

    def purge(self, before: dt.date, decided_by: str, reason: str, today: dt.date | None = None) -> dict[str, int]:  # fmt: skip
        """Remove what was decided, checked and shown before `before`, and log the purge; the
        chain stays verifiable from the last removed row's hash. Refused (`Refused`, 422)
        when `before` is less than `RETENTION_DAYS` ago: decisions are kept at least six
        months (EU AI Act Art. 26(6)), and a keberatan may ask for them."""
        today = today or dt.date.today()
        latest = today - dt.timedelta(days=RETENTION_DAYS)
        if before > latest:
            raise Refused(422, "before", f"records are kept at least {RETENTION_DAYS} days: the latest purge date today is {latest}, not {before}")  # fmt: skip
        if not reason.strip():
            raise Refused(422, "reason", "a reason is required to purge records")
        decided_by = one_line_name(decided_by, "decided_by")
        horizon = before.isoformat()
        with self._writing, self._db() as db:
            db.execute("begin immediate")
            try:
                last = db.execute("select seq, hash from decisions where at < ? order by seq desc limit 1", (horizon,)).fetchone()  # fmt: skip
                anchor = db.execute("select last_seq, last_hash from purges order by seq desc limit 1").fetchone()  # fmt: skip
                end = (last["seq"], last["hash"]) if last else ((anchor["last_seq"], anchor["last_hash"]) if anchor else (0, GENESIS))  # fmt: skip
                orphaned = ("shown_at < :h and not exists (select 1 from decisions d where d.suggestion_id"
                            " = suggestions.id and d.seq > :s) and not exists (select 1 from outcomes o where"
                            " o.suggestion_id = suggestions.id and o.checked_at >= :h)")  # fmt: skip
                bounds = {"h": horizon, "s": end[0]}
                removed = {
                    "decisions": db.execute("select count(*) from decisions where seq <= :s", bounds).fetchone()[0],
                    "outcomes": db.execute("select count(*) from outcomes where checked_at < :h", bounds).fetchone()[0],
                    "suggestions": db.execute(f"select count(*) from suggestions where {orphaned}", bounds).fetchone()[0],
                }  # fmt: skip
                now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
                # the horizon is logged first: the triggers let only rows older than it go
                db.execute("insert into purges (at, horizon, last_seq, last_hash, decided_by, reason, removed) values (?, ?, ?, ?, ?, ?, ?)",
                           (now, horizon, end[0], end[1], decided_by, reason.strip(), json.dumps(removed)))  # fmt: skip
                db.execute("delete from decisions where seq <= :s", bounds)
                db.execute("delete from outcomes where checked_at < :h", bounds)
                db.execute(f"delete from suggestions where {orphaned}", bounds)
            except BaseException:
                db.execute("rollback")
                raise
            db.execute("commit")
        return removed

    def suspend(self, reason: str, decided_by: str, resume: bool = False) -> None:
        """Stop (or, `resume`, restart) every suggestion, with the reason, on the record."""
        if not reason.strip():
            raise Refused(422, "reason", "a reason is required to suspend or resume suggestions")
        decided_by = one_line_name(decided_by, "decided_by")
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._writing, self._db() as db:
            db.execute("insert into suspensions (at, action, reason, decided_by) values (?, ?, ?, ?)",
                       (now, "resume" if resume else "suspend", reason.strip(), decided_by))  # fmt: skip
        self._local.suspension = None  # this connection's own commit does not move data_version

    def suspended(self) -> str | None:
        """Why suggestions are suspended now (who, when, the reason), or None. Asked on every
        call that shows a suggestion, so the answer is kept until the file changes: SQLite's
        `data_version` moves when any other connection, in any process, commits."""
        with self._db() as db:
            version = db.execute("pragma data_version").fetchone()[0]
            known = self._local.suspension
            if known is not None and known[0] == version:
                return known[1]
            last = db.execute("select * from suspensions order by seq desc limit 1").fetchone()
        why = None
        if last is not None and last["action"] != "resume":
            why = f"suggestions suspended by {last['decided_by']} at {last['at']}: {last['reason']}"
        self._local.suspension = (version, why)
        return why

    def rounds(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest rounds on record: id, date of the data, model, moves, decided by the PPK."""
        with self._db() as db:
            return [dict(r) for r in db.execute(
                "select s.round_id, max(s.as_of) as as_of, max(s.model_version) as model_version,"
                " max(s.shown_at) as shown_at, count(*) as moves,"
                " sum(exists(select 1 from decisions d where d.suggestion_id = s.id and d.stage = 'ppk'"
                " and d.decision != 'tunda')) as decided"
                " from suggestions s where s.round_id is not null group by s.round_id"
                " order by shown_at desc limit ?", (limit,))]  # fmt: skip

    def round(self, round_id: str) -> list[dict[str, Any]]:
        """A round's moves as shown, each with its decisions (oldest first), in the order
        the round listed them."""
        with self._db() as db:
            shown = [dict(r) for r in db.execute("select * from suggestions where round_id = ? order by rowid", (round_id,))]  # fmt: skip
            decided = [dict(r) for r in db.execute(
                "select d.* from decisions d join suggestions s on s.id = d.suggestion_id"
                " where s.round_id = ? order by d.seq", (round_id,))]  # fmt: skip
        for move in shown:
            move["snapshot"] = json.loads(move["snapshot"])
            move["decisions"] = [d for d in decided if d["suggestion_id"] == move["id"]]
        return shown

    def round_shown(self, round_id: str) -> list[dict[str, Any]]:
        """`round`, refused (ValueError, naming the record) where it holds no such round:
        what the round's papers (minutes, workbook) are written from."""
        shown = self.round(round_id)
        if not shown:
            raise ValueError(f"no round {round_id!r} in {self.path} (a round's id is in its summary.json)")  # fmt: skip
        return shown

    def finals(self) -> list[dict[str, Any]]:
        """Every suggestion the PPK decided (setuju, ubah or tolak; a deferral is not final),
        with its snapshot and the decision's unit, SK, TMT and time: what outcomes are matched
        to, and what the SK list holds."""
        query = ("select s.*, d.decision, d.alt_unit_id, d.sk_number, d.tmt, d.at as decided_at from suggestions s"
                 " join decisions d on d.suggestion_id = s.id where d.stage = ? and d.decision != 'tunda'"
                 " order by d.seq")  # fmt: skip
        with self._db() as db:
            rows = [dict(r) for r in db.execute(query, (FINAL,))]
        for row in rows:
            row["snapshot"] = json.loads(row["snapshot"])
        return rows

    def purges(self) -> list[dict[str, Any]]:
        """Every purge on record, oldest first (who, when, up to which date, why, what)."""
        with self._db() as db:
            return [dict(r) for r in db.execute("select * from purges order by seq")]

    def as_of_dates(self) -> list[str]:
        """The dates suggestions on record were made for, oldest first."""
        with self._db() as db:
            return [
                r[0] for r in db.execute("select distinct as_of from suggestions order by as_of")
            ]

    def record_outcomes(self, outcomes: list[dict[str, Any]]) -> None:
        """Append one outcome check per suggestion (the latest check is the one that counts;
        earlier ones stay, so what the data said on each date is on the record)."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        rows = [(now, *(o[k] for k in OUTCOME_FIELDS)) for o in outcomes]
        with self._writing, self._db() as db:
            db.execute("begin immediate")
            db.executemany(f"insert into outcomes (checked_at, {', '.join(OUTCOME_FIELDS)}) values ({', '.join('?' * (len(OUTCOME_FIELDS) + 1))})", rows)  # fmt: skip
            db.execute("commit")

    def outcomes(self) -> list[dict[str, Any]]:
        """The latest outcome check of every decided suggestion, with the suggestion as shown."""
        query = ("select o.*, s.nip, s.from_unit_id, s.to_unit_id, s.model_name, s.model_version,"
                 " s.run_id, s.round_id, s.as_of, s.snapshot from outcomes o join suggestions s"
                 " on s.id = o.suggestion_id where o.seq = (select max(seq) from outcomes"
                 " where suggestion_id = o.suggestion_id) order by o.seq")  # fmt: skip
        with self._db() as db:
            rows = [dict(r) for r in db.execute(query)]
        for row in rows:
            row["snapshot"] = json.loads(row["snapshot"])
        return rows

    def rows(self, round_id: str | None = None) -> list[dict[str, Any]]:
        """Decisions joined to their suggestions (for minutes and monitoring), oldest first."""
        query = ("select d.*, s.nip, s.from_unit_id, s.to_unit_id, s.model_name, s.model_version,"
                 " s.round_id, s.snapshot from decisions d join suggestions s on s.id = d.suggestion_id")  # fmt: skip
        args: tuple[str, ...] = ()
        if round_id is not None:
            query += " where s.round_id = ?"
            args = (round_id,)
        with self._db() as db:
            return [dict(r) for r in db.execute(query + " order by d.seq", args)]
