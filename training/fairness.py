"""The merit-system audit: does the model err or advise differently by sex or age?

Protected attributes are read here, and only here, to audit; they are never features.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from features.data import HRData
from training.gain import Decision
from training.scoring import ScoredStaff

AGE_BANDS = [0, 30, 40, 50, 200]
AGE_LABELS = ["<30", "30-39", "40-49", "50+"]


def _groups(data: HRData, nips: pd.Series, as_of: pd.Series) -> pd.DataFrame:
    emp = data.employees.set_index("nip")
    age = (
        (pd.to_datetime(as_of).to_numpy() - nips.map(emp["birth_date"]).to_numpy())
        / np.timedelta64(1, "D")
        / 365.25
    )
    return pd.DataFrame(
        {
            "sex": nips.map(emp["sex"]).to_numpy(),
            "age_band": pd.cut(age, AGE_BANDS, labels=AGE_LABELS, right=False),
        },
        index=nips.index,
    )


def fairness_report(
    data: HRData,
    valid: pd.DataFrame,
    predicted: np.ndarray,
    staff: ScoredStaff,
    decision: Decision,
    max_gap: float,
) -> tuple[dict[str, Any], list[str]]:
    """Held-out MAE, and the calibrated gain of each employee's first suggestion (0 when it
    is to stay), by sex and by age band."""
    held = _groups(data, valid["nip"], valid["as_of"]).assign(
        abs_error=np.abs(valid["score"].to_numpy() - predicted)
    )
    gain = pd.concat(
        [pd.Series(s.gain[top], index=s.table.rows["nip"].to_numpy()[top]) for s, top in staff.tops(decision)]
    ).dropna()  # fmt: skip
    people = _groups(
        data,
        pd.Series(gain.index, index=gain.index),
        pd.Series(staff.as_of, index=gain.index),
    )
    people = people.assign(gain=gain)
    report: dict[str, Any] = {}
    flags: list[str] = []
    for attribute in ("sex", "age_band"):
        mae = held.groupby(attribute, observed=True)["abs_error"].agg(["mean", "count"])
        gains = people.groupby(attribute, observed=True)["gain"].agg(["mean", "count"])
        report[attribute] = {
            "held_out_mae": {
                str(k): {"mae": float(v["mean"]), "n": int(v["count"])} for k, v in mae.iterrows()
            },
            "top_suggestion_gain": {
                str(k): {"gain": float(v["mean"]), "n": int(v["count"])}
                for k, v in gains.iterrows()
            },
        }
        for what, table in (("held-out MAE", mae), ("suggested gain", gains)):
            gap = float(table["mean"].max() - table["mean"].min()) if len(table) > 1 else 0.0
            report[attribute][f"{what} gap"] = gap
            if gap > max_gap:
                flags.append(f"{what} differs by {attribute} by {gap:.2f} points (> {max_gap})")
    report["max_gap"] = max_gap
    report["flags"] = flags
    return report, flags
