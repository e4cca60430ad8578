"""The record of decisions: the rules of who decides what and when, append-only rows, a hash
chain that finds a row edited by hand, and concurrent writers that lose nothing."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest

from oversight.records import Shown
from oversight.store import DecisionStore, Refused
from tests.helpers import SHOWN, held_exclusively, shown_moves


def test_a_suggestion_passes_the_stages_in_order_and_the_ppk_decides_once(tmp_path: Path) -> None:
    store, (sid, *_) = shown_moves(tmp_path)
    with pytest.raises(Refused) as early:
        store.decide(sid, "baperjakat", "setuju", "sesuai_kompetensi", "sekretaris", "admin")
    assert early.value.status == 409 and "hr stage decides before" in str(early.value)
    with pytest.raises(Refused) as role:
        store.decide(sid, "ppk", "setuju", "sesuai_kompetensi", "staf", "hr")
    assert role.value.status == 403
    store.decide(sid, "hr", "tunda", "menunggu_klarifikasi", "staf", "hr")  # deferred: decide again
    store.decide(sid, "hr", "setuju", "sesuai_kompetensi", "staf", "hr")
    store.decide(sid, "baperjakat", "setuju", "kebutuhan_organisasi", "sekretaris", "admin")
    store.decide(sid, "ppk", "setuju", "sesuai_kompetensi", "sekretaris", "admin", sk_number="800/12/2026")  # fmt: skip
    with pytest.raises(Refused) as again:
        store.decide(sid, "ppk", "tolak", "lainnya", "sekretaris", "admin", note="berubah pikiran")
    assert again.value.status == 409 and "second final decision" in str(again.value)
    shown = store.suggestion(sid)
    assert shown is not None and shown["snapshot"]["gain"] == 1.0
    assert [d["stage"] for d in shown["decisions"]] == ["hr", "hr", "baperjakat", "ppk"]


@pytest.mark.parametrize(
    ("args", "status", "field"),
    [
        (("hr", "tolak", "dibutuhkan_unit_asal"), 422, "note"),
        (("hr", "ubah", "unit_lain_lebih_sesuai"), 422, "note"),
        (("hr", "setuju", "menunggu_formasi"), 422, "reason_code"),
        (("hr", "pindah", "lainnya"), 422, "decision"),
        (("kepala", "setuju", "lainnya"), 422, "stage"),
    ],
)
def test_bad_decisions_are_refused_naming_the_input(
    tmp_path: Path, args: tuple[str, str, str], status: int, field: str
) -> None:
    store, (sid, *_) = shown_moves(tmp_path)
    with pytest.raises(Refused) as refused:
        store.decide(sid, *args, "staf", "hr")
    assert (refused.value.status, refused.value.field) == (status, field)
    with pytest.raises(Refused) as unknown:
        store.decide("sg_0000", "hr", "setuju", "lainnya", "staf", "hr")
    assert unknown.value.status == 404


def test_ubah_names_a_unit_neither_suggested_nor_held(tmp_path: Path) -> None:
    """A change (ubah) to the unit the employee holds was recorded, and a PPK's would have
    been an executed move to where they already are, on the SK list and in the outcomes."""
    store, (sid, *_) = shown_moves(tmp_path)  # suggested: from A to B
    for alt, said in (("B", "another unit than the one suggested"), ("A", "the unit the employee holds now (A)")):  # fmt: skip
        with pytest.raises(Refused) as refused:
            store.decide(sid, "hr", "ubah", "unit_lain_lebih_sesuai", "staf", "hr", note="x", alt_unit_id=alt)  # fmt: skip
        assert (refused.value.status, refused.value.field) == (422, "alt_unit_id") and said in str(refused.value)  # fmt: skip
    row = store.decide(sid, "hr", "ubah", "unit_lain_lebih_sesuai", "staf", "hr", note="x", alt_unit_id="C")  # fmt: skip
    assert row["alt_unit_id"] == "C"


def test_a_decision_says_one_unit_and_a_tmt_after_the_suggestion(tmp_path: Path) -> None:
    """`setuju` with a unit instead was recorded: the record named one unit and the move
    executed ('outcomes executed') the other. A TMT before the suggestion's date (a typo's
    1926) was recorded too, and the outcome a year on read against it."""
    store, (sid, *_) = shown_moves(tmp_path)  # shown as of 2026-01-01
    with pytest.raises(Refused) as both:
        store.decide(sid, "hr", "setuju", "sesuai_kompetensi", "staf", "hr", alt_unit_id="C")
    assert (both.value.field, str(both.value)) == ("alt_unit_id", "a unit instead is for ubah only; 'setuju' keeps the one suggested")  # fmt: skip
    with pytest.raises(Refused) as early:
        store.decide(sid, "hr", "setuju", "sesuai_kompetensi", "staf", "hr", tmt="1926-01-02")
    assert (early.value.field, str(early.value)) == ("tmt", "TMT 1926-01-02 is before the suggestion's date (2026-01-01)")  # fmt: skip
    assert store.decide(sid, "hr", "setuju", "sesuai_kompetensi", "staf", "hr", tmt="2026-01-02")["tmt"] == "2026-01-02"  # fmt: skip


@pytest.mark.parametrize("decision", ["tolak", "tunda"])
def test_an_sk_is_for_a_move_decided(tmp_path: Path, decision: str) -> None:
    """A refusal or a deferral with an SK number was recorded: the record said the move was
    not made and that its SK was signed. A TMT there stays: the round's planned date,
    carried down a paper's column, left on the row a PPK refuses."""
    store, (sid, *_) = shown_moves(tmp_path)
    with pytest.raises(Refused) as refused:
        store.decide(sid, "hr", decision, "dibutuhkan_unit_asal", "staf", "hr", note="x", sk_number="800/12/2026")  # fmt: skip
    assert (refused.value.status, refused.value.field) == (422, "sk_number")
    assert f"{decision!r} moves no one" in str(refused.value)
    row = store.decide(sid, "hr", decision, "dibutuhkan_unit_asal", "staf", "hr", note="x", tmt="2027-01-01")  # fmt: skip
    assert (row["sk_number"], row["tmt"]) == (None, "2027-01-01")


@pytest.mark.parametrize("who", ["   ", "staf\nbaris palsu", "staf\tkolom", "x" * 101])
def test_who_decides_suspends_or_purges_is_one_printable_line(tmp_path: Path, who: str) -> None:
    """Who decided is quoted in the minutes and printed a line each: `--by "  "` recorded
    a suspension by nobody, and a newline forged a line."""
    store, (sid, *_) = shown_moves(tmp_path)
    calls = (
        lambda: store.decide(sid, "hr", "setuju", "sesuai_kompetensi", who, "hr"),
        lambda: store.suspend("audit", who),
        lambda: store.purge(dt.date(2000, 1, 1), who, "retensi"),
    )
    for call in calls:
        with pytest.raises(Refused) as refused:
            call()
        assert (refused.value.status, refused.value.field) == (422, "decided_by")
    assert store.suspended() is None and store.suggestion(sid)["decisions"] == []  # type: ignore[index]
    store.decide(sid, "hr", "setuju", "sesuai_kompetensi", "  Bidang Mutasi ", "hr")
    assert store.suggestion(sid)["decisions"][0]["decided_by"] == "Bidang Mutasi"  # type: ignore[index]


def test_the_same_decision_again_is_the_one_recorded_not_a_conflict(tmp_path: Path) -> None:
    """A client that lost the answer sends the decision again, a committee imports its paper
    twice: the record holds the decision once and says so (`replayed`); a different decision
    at a stage that decided is still a conflict, and a deferral may be followed by another."""
    store, (sid, *_) = shown_moves(tmp_path)
    first = store.decide(sid, "hr", "setuju", "sesuai_kompetensi", "staf", "hr")
    again = store.decide(sid, "hr", "setuju", "sesuai_kompetensi", " staf ", "hr")
    assert first["replayed"] is False and again["replayed"] is True
    assert {k: again[k] for k in first if k != "replayed"} == {k: first[k] for k in first if k != "replayed"}  # fmt: skip
    for changed in ({"decided_by": "lain"}, {"note": "catatan"}):
        args = {"decided_by": "staf", "note": None} | changed
        with pytest.raises(Refused) as conflict:
            store.decide(sid, "hr", "setuju", "sesuai_kompetensi", args["decided_by"], "hr", note=args["note"])  # fmt: skip
        assert conflict.value.status == 409
    store.decide(sid, "baperjakat", "tunda", "menunggu_klarifikasi", "sekretaris", "admin")
    later = store.decide(sid, "baperjakat", "tunda", "menunggu_klarifikasi", "sekretaris", "admin")
    assert later["replayed"] is False  # a second deferral is a decision of its own
    decisions = store.suggestion(sid)["decisions"]  # type: ignore[index]
    assert [d["decision"] for d in decisions] == ["setuju", "tunda", "tunda"] and not store.verify()


def test_a_rejection_ends_the_path(tmp_path: Path) -> None:
    store, (sid, *_) = shown_moves(tmp_path)
    store.decide(sid, "hr", "tolak", "dibutuhkan_unit_asal", "staf", "hr", note="satu-satunya bendahara")  # fmt: skip
    with pytest.raises(Refused, match="rejected at the hr stage"):
        store.decide(sid, "baperjakat", "setuju", "lainnya", "sekretaris", "admin")


def test_the_ppk_approves_one_move_a_person_a_date(tmp_path: Path) -> None:
    """A round's item and an item HR looked up may name one person: once the PPK approved
    one, approving another for that date is refused naming the first (rejecting or deferring
    it is not); another date's move for the same person is a new round's."""
    store = DecisionStore(tmp_path / "decisions.db")
    nip = "198507142010011001"
    later = Shown("penataan-placement", "3", "run1", "f" * 16, "2027-01-01")
    round_item, looked_up, deferred, next_year = (
        SHOWN.record("plan", nip, "A", "B", {"gain": 1.0}, "rd_x"),
        SHOWN.record("recommend", nip, "A", "C", {"gain": 2.0}),
        SHOWN.record("recommend", nip, "A", "D", {"gain": 0.5}),
        later.record("plan", nip, "B", "C", {"gain": 1.0}, "rd_y"),
    )
    store.record([round_item, looked_up, deferred, next_year])
    for item in (round_item, looked_up, deferred, next_year):
        store.decide(item.id, "hr", "setuju", "sesuai_kompetensi", "staf", "hr")
        store.decide(item.id, "baperjakat", "setuju", "sesuai_kompetensi", "sekretaris", "admin")
    store.decide(round_item.id, "ppk", "setuju", "sesuai_kompetensi", "sekretaris", "admin")
    for decision, extra in (("setuju", {}), ("ubah", {"note": "ke E", "alt_unit_id": "E"})):
        with pytest.raises(Refused) as second:
            reason = "sesuai_kompetensi" if decision == "setuju" else "unit_lain_lebih_sesuai"
            store.decide(looked_up.id, "ppk", decision, reason, "sekretaris", "admin", **extra)
        assert (second.value.status, second.value.field) == (409, "suggestion_id")
        assert round_item.id in str(second.value) and nip in str(second.value)
    store.decide(looked_up.id, "ppk", "tolak", "lainnya", "sekretaris", "admin", note="sudah disetujui")  # fmt: skip
    store.decide(deferred.id, "ppk", "tunda", "menunggu_klarifikasi", "sekretaris", "admin")
    store.decide(next_year.id, "ppk", "setuju", "sesuai_kompetensi", "sekretaris", "admin")
    finals = {row["id"]: row["decision"] for row in store.finals()}
    assert finals == {round_item.id: "setuju", looked_up.id: "tolak", next_year.id: "setuju"}
    assert store.verify() == []


def test_rows_cannot_be_changed_and_a_hand_edit_breaks_the_chain(tmp_path: Path) -> None:
    store, ids = shown_moves(tmp_path)
    for sid in ids:
        store.decide(sid, "hr", "setuju", "sesuai_kompetensi", "staf", "hr")
    assert store.verify() == []
    db = sqlite3.connect(store.path)
    for statement in ("update decisions set note = 'x' where seq = 2", "delete from decisions where seq = 2",
                      "update suggestions set nip = 'x'"):  # fmt: skip
        with pytest.raises(sqlite3.DatabaseError, match="append-only|never"):
            db.execute(statement)
    db.execute("drop trigger decisions_no_update")  # someone with the file and sqlite3
    db.execute("update decisions set reason_code = 'lainnya' where seq = 2")
    db.commit()
    db.close()
    assert store.verify() == ["row 2: its content does not match its hash (edited after it was written)"]  # fmt: skip


def test_concurrent_writers_lose_nothing_and_keep_one_chain(tmp_path: Path) -> None:
    store, ids = shown_moves(tmp_path, n=16 * 20)
    errors: list[BaseException] = []

    def client(mine: list[str]) -> None:
        own = DecisionStore(store.path)  # each client its own connection, as separate processes
        try:
            for sid in mine:
                own.decide(sid, "hr", "setuju", "sesuai_kompetensi", "staf", "hr")
        except BaseException as error:  # pragma: no cover - the assertion below reports it
            errors.append(error)

    threads = [threading.Thread(target=client, args=(ids[k::16],)) for k in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    rows = store.rows()
    assert len(rows) == len(ids) and {r["suggestion_id"] for r in rows} == set(ids)
    assert [r["seq"] for r in rows] == list(range(1, len(ids) + 1)) and store.verify() == []


def test_the_same_suggestion_shown_twice_keeps_its_first_snapshot(tmp_path: Path) -> None:
    store, (sid, *_) = shown_moves(tmp_path)
    again = SHOWN.record("plan", "198507142010011000", "A", "B", {"gain": 9.0}, "rd_x")
    assert again.id == sid
    store.record([again])
    shown = store.suggestion(sid)
    assert shown is not None and shown["snapshot"]["gain"] == 1.0
    assert (tmp_path / "decisions.db").stat().st_mode & 0o777 == 0o600


def test_a_purge_keeps_six_months_and_the_chain_verifiable(tmp_path: Path) -> None:
    import datetime as dt

    from serving.audit import AuditLog

    store, (first, second, third) = shown_moves(tmp_path)
    for sid in (first, second):
        store.decide(sid, "hr", "setuju", "sesuai_kompetensi", "staf", "hr")
    today = dt.date.today()
    with pytest.raises(Refused) as recent:
        store.purge(today - dt.timedelta(days=100), "admin", "retensi")
    assert recent.value.field == "before" and "at least 183 days" in str(recent.value)
    with sqlite3.connect(store.path) as db, pytest.raises(sqlite3.IntegrityError):
        db.execute("delete from decisions")  # no purge logged: nothing may go
    later = today + dt.timedelta(days=400)  # a year on, today's rows are old enough
    removed = store.purge(today + dt.timedelta(days=1), "admin", "retensi 2027", today=later)
    assert removed == {"decisions": 2, "outcomes": 0, "suggestions": 3}
    # run "a year on", the purge is logged today: verify names it as breaking retention
    assert len(store.verify()) == 1 and "not a purge this record allows" in store.verify()[0]
    with sqlite3.connect(store.path) as db:  # as if it had been logged a year on
        db.execute("drop trigger purges_no_update")
        db.execute("update purges set at = ?", (later.isoformat(),))
    assert store.verify() == [] and store.suggestion(first) is None
    assert store.purges()[0]["reason"] == "retensi 2027"
    fresh = SHOWN.record("plan", "198507142010011099", "A", "B", {"gain": 2.0}, "rd_y")
    store.record([fresh])
    store.decide(fresh.id, "hr", "setuju", "sesuai_kompetensi", "staf", "hr")
    assert store.verify() == [] and store.rows()[0]["seq"] == 3  # the chain goes on from row 2
    with sqlite3.connect(store.path) as db, pytest.raises(sqlite3.IntegrityError):
        db.execute("delete from purges")  # the purge's own record stays
    audit = AuditLog(tmp_path / "audit.db")
    audit.append("/v1/recommend", 200, "hr-1", "198507142010011001", "1")
    with pytest.raises(ValueError, match="at least 183 days"):
        audit.purge(today, "admin")
    assert audit.purge(today + dt.timedelta(days=1), "admin", today=later) == 2  # with startup
    assert [r[2] for r in audit.rows()] == ["audit-purged"]


def test_a_kept_connection_follows_the_file_and_sees_other_writers_at_once(tmp_path: Path) -> None:
    import os

    store, (sid, *_) = shown_moves(tmp_path)
    server = DecisionStore(store.path)  # another connection, as a server beside the command line
    assert server.suspended() is None
    store.suspend("audit BPK", "admin")
    assert server.suspended() is not None and "audit BPK" in str(server.suspended())
    store.suspend("selesai", "admin", resume=True)
    assert server.suspended() is None and store.suspended() is None
    server.suspend("sendiri", "admin")  # its own commit, on its own kept connection
    assert "sendiri" in str(server.suspended())
    os.replace(tmp_path / "decisions.db", tmp_path / "moved-away.db")  # the file is taken away
    for suffix in ("-wal", "-shm"):
        if (tmp_path / f"decisions.db{suffix}").exists():
            os.remove(tmp_path / f"decisions.db{suffix}")
    fresh = DecisionStore(store.path)
    fresh.record([SHOWN.record("plan", "198507142010011077", "A", "B", {"gain": 3.0}, "rd_z")])
    later = SHOWN.record("plan", "198507142010011078", "A", "B", {"gain": 4.0}, "rd_z")
    server.record([later])  # written to the file now at the path, not to the one taken away
    assert DecisionStore(store.path).suggestion(later.id) is not None


def test_a_record_another_process_holds_is_named_and_loses_nothing(tmp_path: Path) -> None:
    """Another writer holding the file: the decision is refused in the store's timeout, its
    error naming the file ("database is locked" alone left an operator guessing which of
    the machine's databases), and recorded once the file is free."""
    store, (sid, *_) = shown_moves(tmp_path)
    quick = DecisionStore(store.path, timeout_seconds=0.2)
    with held_exclusively(store.path), pytest.raises(sqlite3.OperationalError) as locked:
        quick.decide(sid, "hr", "setuju", "sesuai_kompetensi", "staf", "hr")
    assert str(locked.value) == f"the decisions record {store.path}: database is locked"
    quick.decide(sid, "hr", "setuju", "sesuai_kompetensi", "staf", "hr")
    assert [d["decision"] for d in store.suggestion(sid)["decisions"]] == ["setuju"]  # type: ignore[index]
