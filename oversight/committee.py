"""The committee's paper, out and back in: a round's `moves.csv` with decision columns added
(`decision`, `reason_code`, `note`, and where they apply `alt_unit_id`, `sk_number`, `tmt`),
recorded as one stage's decisions by `penataan decisions import`. `penataan plan` writes that
paper as `moves.xlsx`; a round the server made (`POST /v1/plan`) has only the record, and
`round_form` writes it from there (`penataan decisions form`, the round page's download).

Every row is checked before any is written, by itself and against the suggestion it decides
(`DecisionStore.problems`), and every problem is listed (file, row, column, value, rule); only
a file with none is recorded. Rows without a decision are left for later. A row the record
refuses at write time, for the decisions before it (a stage out of order, a second final
decision, a second approved move for one person), is listed too, and the others are recorded:
decisions are append-only, so what was written stays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from features.formats import wita
from features.spreadsheet import Lists, read_edited, unguard
from oversight.reasons import REASONS, VERDICT_LABELS
from oversight.store import DecisionStore, Refused
from planning.run import DECISION_COLUMNS, MOVE_COLUMNS

COLUMNS = ("suggestion_id", *DECISION_COLUMNS)


@dataclass
class Imported:
    recorded: int = 0
    undecided: int = 0
    problems: list[str] = field(default_factory=list)
    already: int = 0  # rows the record held already, as the file says (a paper imported again)


def form_lists() -> Lists:
    """The paper's closed columns as drop-downs (`decision`, `reason_code`), and a sheet
    that says what each reason means and which decisions it fits: what the committee picks
    from instead of typing codes the import would refuse."""
    legend = pd.DataFrame(
        {"reason_code": [r.code for r in REASONS], "alasan": [r.label for r in REASONS],
         "untuk keputusan": [", ".join(v for v in VERDICT_LABELS if v in r.verdicts) for r in REASONS]}
    )  # fmt: skip
    return Lists(
        {"decision": list(VERDICT_LABELS), "reason_code": [r.code for r in REASONS]},
        ("kode alasan", legend),
    )


def _problems(
    store: DecisionStore, row: dict[str, str], round_id: str | None, moves: set[str]
) -> list[tuple[str, str]]:
    """A decided row's problems, `(column, what is wrong)`; with `round_id`, a suggestion
    that is none of its `moves` is one (named once: an id never shown is only that)."""
    if not row["suggestion_id"].startswith("sg_"):
        return [("suggestion_id", f"{row['suggestion_id']!r} is not a suggestion id (sg_...)")]
    cells = (row[c] or None for c in ("note", "alt_unit_id", "sk_number", "tmt"))
    found = store.problems(row["suggestion_id"], row["decision"], row["reason_code"], *cells)
    if round_id is not None and row["suggestion_id"] not in moves and all(c != "suggestion_id" for c, _ in found):  # fmt: skip
        found.append(("suggestion_id", f"{row['suggestion_id']!r} is no move of round {round_id}"))
    return found


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The file's rows by line, each cell stripped and unguarded, as a spreadsheet saved them
    (`read_edited`: a CSV or a workbook); the closed vocabularies (decision, reason_code) whatever their case
    (`Setuju` is `setuju`)."""
    columns, found = read_edited(path)
    missing = [c for c in ("suggestion_id", "decision", "reason_code") if c not in columns]
    if missing:
        raise ValueError(f"{path}: no column {', '.join(missing)} (add them to the round's moves.csv)")  # fmt: skip
    rows = [(line, {c: unguard((r.get(c) or "").strip()) for c in COLUMNS}) for line, r in found]
    for _, row in rows:
        row["decision"], row["reason_code"] = row["decision"].lower(), row["reason_code"].lower()
    return rows


def import_decisions(
    store: DecisionStore, path: Path, stage: str, decided_by: str, role: str = "admin",
    round_id: str | None = None,
) -> Imported:  # fmt: skip
    """Record `path`'s decided rows as `stage` decisions by `decided_by` holding `role` (the
    command line's operator is an admin; the round page's, the session's role); with
    `round_id`, a row that is no move of that round is a problem (a paper from another round
    uploaded to this one's page). See the module."""
    rows = _rows(path)
    out = Imported()
    decided = [(line, row) for line, row in rows if row["decision"]]
    out.undecided = len(rows) - len(decided)
    moves = set() if round_id is None else {move["id"] for move in store.round(round_id)}
    for line, row in decided:
        found = _problems(store, row, round_id, moves)
        out.problems += [f"{path.name}, row {line}, column {c}: {p}" for c, p in found]
    if out.problems:
        return out
    for line, row in decided:
        try:
            done = store.decide(row["suggestion_id"], stage, row["decision"], row["reason_code"],
                                decided_by, role, row["note"] or None, row["alt_unit_id"] or None,
                                row["sk_number"] or None, row["tmt"] or None)  # fmt: skip
            if done["replayed"]:
                out.already += 1
            else:
                out.recorded += 1
        except Refused as refused:
            out.problems.append(f"{path.name}, row {line}, column {refused.field}: {refused}")
    return out


def round_form(store: DecisionStore, round_id: str) -> pd.DataFrame:
    """The paper of a round in the record: each move's columns as `moves.xlsx` has them
    (from what was shown: its snapshot), the units' names, where its decisions stand
    (`latest_decision`: stage, verdict and when, WITA) and the decision columns empty, for
    the next stage to fill in and `import_decisions` to read back. Raises if the record
    holds no such round."""
    shown = store.round_shown(round_id)
    rows = []
    for move in shown:
        snap = move["snapshot"]
        last = move["decisions"][-1] if move["decisions"] else None
        rows.append({
            **{c: snap.get(c) for c in MOVE_COLUMNS},
            "suggestion_id": move["id"], "nip": move["nip"],
            "from_unit_id": move["from_unit_id"], "to_unit_id": move["to_unit_id"],
            "from_unit_name": snap.get("from_unit_name"), "to_unit_name": snap.get("to_unit_name"),
            "latest_decision": f"{last['stage']}: {last['decision']} ({wita(last['at'])})" if last else None,
            **dict.fromkeys(DECISION_COLUMNS),
        })  # fmt: skip
    return pd.DataFrame(rows).round(3)
