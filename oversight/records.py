"""Turning what Penataan shows into records: a round's moves get their ids here, for
`penataan plan` and `POST /v1/plan` alike (one code path), with the round's own id."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

from oversight.store import DecisionStore, SuggestionRecord, suggestion_id
from planning.run import PlanResult


@dataclass(frozen=True)
class Shown:
    """Which model and data a suggestion came from (every record carries it)."""

    model_name: str
    model_version: str
    run_id: str | None
    data_fingerprint: str
    as_of: str

    def record(
        self, source: str, nip: str, from_unit: str | None, to_unit: str,
        snapshot: dict[str, Any], round_id: str | None = None,
    ) -> SuggestionRecord:  # fmt: skip
        id_ = suggestion_id(self.model_name, self.model_version, self.data_fingerprint,
                            self.as_of, nip, to_unit, round_id or "")  # fmt: skip
        snapshot = {**snapshot, "model": {"name": self.model_name, "version": self.model_version,
                                          "run_id": self.run_id}, "data_fingerprint": self.data_fingerprint,
                    "as_of": self.as_of}  # fmt: skip
        return SuggestionRecord(
            id=id_, source=source, round_id=round_id, nip=nip, from_unit_id=from_unit,
            to_unit_id=to_unit, snapshot=snapshot, **asdict(self),
        )  # fmt: skip


def record_round(result: PlanResult, shown: Shown, store: DecisionStore) -> None:
    """Name the round's model in its summary, give the round its id (its model, data, date
    and settings: `summary["round_id"]`) and each move its `suggestion_id`, and store the
    moves as shown."""
    summary = result.summary
    summary["model"] = {"name": shown.model_name, "version": shown.model_version}
    settings = json.dumps(summary.get("settings", {}), sort_keys=True, default=str)
    key = "|".join((shown.model_name, shown.model_version, shown.data_fingerprint, shown.as_of, settings))  # fmt: skip
    round_id = "rd_" + hashlib.sha256(key.encode()).hexdigest()[:12]
    summary["round_id"] = round_id
    records = [
        shown.record(
            "plan",
            str(m["nip"]),
            str(m["from_unit_id"]),
            str(m["to_unit_id"]),
            {k: (None if isinstance(v, float) and v != v else v) for k, v in m.items()},
            round_id,
        )  # fmt: skip
        for m in result.moves.drop(columns="suggestion_id", errors="ignore").to_dict(
            orient="records"
        )
    ]
    store.record(records)
    result.moves = result.moves.assign(suggestion_id=[r.id for r in records])
