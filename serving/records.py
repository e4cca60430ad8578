"""Every item shown is a record: `/v1/recommend`, `/v1/candidates` and the pages give each
item its suggestion id and store it as shown (`oversight.store`) before the answer leaves."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from fastapi import HTTPException, Request

from oversight.store import DecisionStore
from serving.engine import Engine
from serving.errors import public
from serving.schemas import Placement


def record_shown(
    request: Request, engine: Engine, source: str, items: list[Placement],
    from_unit: Callable[[Placement], str | None],
) -> None:  # fmt: skip
    """Give each item its suggestion id and store it as shown, before the answer leaves:
    an item nobody could later fetch or decide on is not shown (503 with the reason)."""
    shown = engine.shown()
    records = []
    for item in items:
        snapshot = item.model_dump(mode="json") | {
            "predicted_stay": engine.stay_prediction(item.nip),
            "raw_gain": engine.raw_gain(item.nip, item.unit_id),
        }
        record = shown.record(source, item.nip, from_unit(item), item.unit_id, snapshot)
        item.suggestion_id = record.id
        records.append(record)
    store: DecisionStore = request.app.state.decisions
    try:
        store.record(records)
    except sqlite3.Error as error:
        raise HTTPException(
            503, public(f"the record of suggestions cannot be written: {error}")
        ) from None
