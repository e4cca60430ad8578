"""What happened a year later: each decided suggestion matched to its realised evaluation.

A move the PPK approved (`setuju`, or `ubah` to another unit) should show the person's next
evaluation in the unit moved to; a rejected suggestion (`tolak`) the evaluation in the unit
kept, which is what staying gave. The period looked at is the first the person spends mostly
in that unit: the year of the TMT if it falls in the first half (an evaluation's unit is the
one worked in for most of the year, as the contract says), else the next; without a TMT,
the year the suggestion was made for (its `as_of`).

Each check is one of:
- `observed`: an evaluation for that period, in the expected unit, with a score on the scale
  (predikat-era evaluations placed by `features.kinerja`, as for training);
- `censored`: the person left service, or was evaluated in another unit (moved again, or the
  decision was not carried out): the outcome says nothing about the suggested move;
- `missing`: the period is in the data for others but this person has no evaluation;
- `pending`: the period is not in the data yet.

Checks are appended, never overwritten (`DecisionStore.record_outcomes`).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from features.data import HRData
from features.formats import wita
from oversight.reasons import APPROVALS
from oversight.store import DecisionStore

LEFT_SERVICE = frozenset({"pensiun", "berhenti"})
STATUSES = ("observed", "pending", "censored", "missing")


def expected_unit(row: dict[str, Any]) -> str | None:
    """Where the decided suggestion should find the person: the unit moved to, or kept."""
    if row["decision"] == "setuju":
        return str(row["to_unit_id"])
    if row["decision"] == "ubah":
        return str(row["alt_unit_id"])
    return str(row["from_unit_id"]) if row["from_unit_id"] else None


def outcome_period(tmt: str | None, as_of: str) -> int:
    """The first period spent mostly in the expected unit (see the module)."""
    start = pd.Timestamp(tmt or as_of)
    return start.year if start.month <= 6 else start.year + 1


def match_outcomes(
    finals: list[dict[str, Any]], data: HRData, fingerprint: str | None = None
) -> list[dict[str, Any]]:
    """One outcome check per decided suggestion against `data` (see the module);
    `fingerprint` is `data.fingerprint()` where the caller has it (it hashes every table)."""
    ev = data.evaluations
    found = {
        (str(n), int(p)): (str(u), s)
        for n, p, u, s in zip(ev["nip"], ev["period"], ev["unit_id"], ev["score"], strict=True)
    }
    status_of = dict(zip(data.employees["nip"], data.employees["status"], strict=True))
    last = data.last_period
    fingerprint = fingerprint or data.fingerprint()
    checks = []
    for row in finals:
        unit, period = expected_unit(row), outcome_period(row["tmt"], row["as_of"])
        check: dict[str, Any] = {
            "suggestion_id": row["id"], "data_fingerprint": fingerprint,
            "decision": row["decision"], "expected_unit_id": unit, "period": period,
            "unit_id": None, "score": None,
        }  # fmt: skip
        evaluated = found.get((str(row["nip"]), period))
        if unit is None:
            check |= {"status": "censored", "detail": "no unit to stay in: nothing to compare"}
        elif evaluated is not None and evaluated[0] != unit:
            check |= {"status": "censored", "unit_id": evaluated[0],
                      "detail": f"evaluated in {evaluated[0]} for {period}, not {unit}: moved again or the decision was not carried out"}  # fmt: skip
        elif evaluated is not None and pd.notna(evaluated[1]):
            check |= {"status": "observed", "unit_id": unit, "score": float(evaluated[1]),
                      "detail": f"evaluated in {unit} for {period}"}  # fmt: skip
        elif status_of.get(row["nip"]) in LEFT_SERVICE:
            check |= {"status": "censored", "detail": f"left service ({status_of[row['nip']]})"}
        elif period <= last:
            check |= {"status": "missing", "detail": f"no evaluation for {period}, which others have"}  # fmt: skip
        else:
            check |= {"status": "pending", "detail": f"the {period} evaluations are not in the data yet (last: {last})"}  # fmt: skip
        checks.append(check)
    return checks


def import_outcomes(
    store: DecisionStore, data: HRData, fingerprint: str | None = None
) -> Counter[str]:
    """Check every decided suggestion against `data` and append the checks; counts by status."""
    checks = match_outcomes(store.finals(), data, fingerprint)
    store.record_outcomes(checks)
    return Counter(c["status"] for c in checks)


# the moves the PPK approved, as `penataan outcomes executed` writes them: `nip` and
# `to_unit_id` first (what `penataan generate --then` reads), then what an SK list needs
EXECUTED_COLUMNS = ("nip", "to_unit_id", "to_unit_name", "from_unit_id", "from_unit_name",
                    "decision", "sk_number", "tmt", "decided_at_wita", "suggestion_id", "round_id")  # fmt: skip


def executed_moves(store: DecisionStore, round_id: str | None = None) -> pd.DataFrame:
    """Every move the PPK approved (`setuju`, or `ubah` to its unit; the latest per person),
    `EXECUTED_COLUMNS`, by NIP: for the world generator's next year (`penataan generate
    --then`) or the SK list (the SK's number and TMT as decided; NIPs, not names, as the
    minutes)."""
    moves: dict[str, dict[str, Any]] = {}
    for row in store.finals():
        if row["decision"] in APPROVALS and (round_id is None or row["round_id"] == round_id):
            unit = str(expected_unit(row))
            snap = row["snapshot"]
            moves[str(row["nip"])] = {
                "nip": str(row["nip"]), "to_unit_id": unit,
                "to_unit_name": snap.get("to_unit_name") if unit == row["to_unit_id"] else None,
                "from_unit_id": row["from_unit_id"], "from_unit_name": snap.get("from_unit_name"),
                "decision": row["decision"], "sk_number": row["sk_number"], "tmt": row["tmt"],
                "decided_at_wita": wita(row["decided_at"]), "suggestion_id": row["id"],
                "round_id": row["round_id"],
            }  # fmt: skip
    rows = [moves[nip] for nip in sorted(moves)]
    return pd.DataFrame(rows, columns=list(EXECUTED_COLUMNS), dtype=object)
